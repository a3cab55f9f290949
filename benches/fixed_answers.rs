//! A minimal keep-alive HTTP/1.1 server on loopback that answers every request with a
//! fixed body, so that a benchmark measures the client and not a server.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The answer to a GET: `listAPITokens` with three tokens.
pub const LIST_BODY: &str = r#"{"tokens":[{"id":"SYzcpe3jEe2We-rqOx4wmQ","name":"token1","created_at":"2026-05-21"},{"id":"wPvoKe3qEe2We-rqOx4wmQ","name":"token2","organization":"my-org","created_at":"2026-05-22"},{"id":"clGFZ4STEe6fljpFzIum8A","name":"ci-bot","organization":"my-org","group":"default","scopes":["db:create","db:configure","db:mint-token"],"created_at":"2026-05-23"}]}"#;
/// The answer to a POST: a database token (read-only, expiring in 2100).
pub const MINT_BODY: &str = r#"{"jwt":"eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJhIjoicm8iLCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcxNjI0OTYwMH0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"}"#;

/// A keep-alive HTTP/1.1 server that answers every request with `200` and the list body,
/// or the mint body for a POST.
pub async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            stream.set_nodelay(true).unwrap();
            tokio::spawn(connection(stream));
        }
    });
    addr
}

fn answer(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn connection(mut stream: TcpStream) {
    let (list, mint) = (answer(LIST_BODY), answer(MINT_BODY));
    let mut buffer = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        // Requests carry no body here, so a request ends at the blank line.
        let end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let reply = if buffer.starts_with(b"POST") {
            &mint
        } else {
            &list
        };
        buffer.drain(..end);
        if stream.write_all(reply).await.is_err() {
            return;
        }
    }
}
