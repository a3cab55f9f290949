//! hyper answers a request it cannot read by itself, before the router sees it: a
//! malformed request line or header (400), a URL too long (414), a head too large (431).
//! It writes that answer with no body and closes the connection. [`JsonRefusals`], the
//! connection's writer, gives those answers the API's `{"error": "..."}` body, as every
//! other answer of the fake has.
//!
//! They are recognised by their shape: an error status with `content-length: 0`, which
//! no handler of the fake writes (each of its errors has a JSON body), in HTTP/1.1 or in
//! HTTP/1.0 (after an HTTP/1.0 request).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use turso_platform::generated::types;

/// A connection whose automatic refusals from hyper carry the API's error body.
pub(crate) struct JsonRefusals<S> {
    inner: S,
    /// A refusal being written in place of hyper's: its bytes, how many are written, and
    /// how many bytes of hyper's it stands for.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<S> JsonRefusals<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            replacing: None,
        }
    }
}

/// The answer with a JSON body for a head that hyper wrote for a request it refused, in
/// the HTTP version hyper answered in (1.0 after an HTTP/1.0 request, 1.1 otherwise).
fn with_body(head: &[u8]) -> Option<Vec<u8>> {
    // Most writes are answers of the fake and bodies: a glance at their ends rules them
    // out without reading them.
    let refused = head.starts_with(b"HTTP/1.1 4")
        || head.starts_with(b"HTTP/1.0 4")
        || head.starts_with(b"HTTP/1.1 5")
        || head.starts_with(b"HTTP/1.0 5");
    if !(refused && head.ends_with(b"\r\n\r\n")) {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    if !text
        .to_ascii_lowercase()
        .contains("\r\ncontent-length: 0\r\n")
    {
        return None;
    }
    let status_line = text.split("\r\n").next()?;
    let message = match status_line.get(9..12)? {
        "400" => "the request could not be read as HTTP/1.1: a malformed request line or header",
        "414" => "the request's URL is too long",
        "431" => "the request's headers are too large",
        _ => "the request could not be read as HTTP/1.1",
    };
    Some(refusal(status_line, message))
}

/// A whole answer with this status line and the API's error body, closing the
/// connection.
pub(crate) fn refusal(status_line: &str, message: &str) -> Vec<u8> {
    let body = serde_json::to_string(&types::Error::default().with_error(message))
        // A struct of two strings always serializes.
        .unwrap_or_default();
    format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonRefusals<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonRefusals<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacing.is_none()
            && let Some(answer) = with_body(buf)
        {
            this.replacing = Some((answer, 0, buf.len()));
        }
        let Some((answer, written, stands_for)) = &mut this.replacing else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        while *written < answer.len() {
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &answer[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        let stands_for = *stands_for;
        this.replacing = None;
        Poll::Ready(Ok(stands_for))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyper_s_bodiless_refusals_are_rewritten() {
        let refusal =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let rewritten = String::from_utf8(with_body(refusal).unwrap()).unwrap();
        assert!(rewritten.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(rewritten.ends_with(r#"{"error":"the request's headers are too large"}"#));
        let json_error = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\n";
        assert_eq!(with_body(json_error), None);
        let empty_ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(with_body(empty_ok), None);
        let old_version = b"HTTP/1.0 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        let rewritten = String::from_utf8(with_body(old_version).unwrap()).unwrap();
        assert!(
            rewritten.starts_with("HTTP/1.0 400 Bad Request\r\n"),
            "{rewritten}"
        );
        assert!(rewritten.ends_with(r#"malformed request line or header"}"#));
        assert_eq!(with_body(b"{\"tokens\":[]}"), None);
    }
}
