//! The body of a request whose body is optional: attached only when it says something.

use std::io;

use reqwest::RequestBuilder;
use serde::Serialize;

/// `builder` with `body` as JSON, as `builder.json(body)`, unless `body` serializes as
/// an empty object: an operation whose body is optional means "no options" by no body
/// at all (the API's own clients send none). The generated client calls this for those
/// operations (the build script, `build/request_builder.rs`, puts it in place of
/// progenitor's `.json(&body)`, which always attaches one), escape hatch included.
pub(crate) fn json_unless_empty<T: Serialize + ?Sized>(
    builder: RequestBuilder,
    body: &T,
) -> RequestBuilder {
    if is_empty_object(body) {
        builder
    } else {
        builder.json(body)
    }
}

/// Whether `body` serializes as `{}`: written into a three-byte window that refuses
/// more, so that a larger body stops the serializer at its fourth byte.
fn is_empty_object<T: Serialize + ?Sized>(body: &T) -> bool {
    let mut window = Window::default();
    serde_json::to_writer(&mut window, body).is_ok() && window.written() == b"{}"
}

/// A writer of at most three bytes.
#[derive(Default)]
struct Window {
    bytes: [u8; 3],
    len: usize,
}

impl Window {
    fn written(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl io::Write for Window {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let end = self.len + buf.len();
        let Some(slot) = self.bytes.get_mut(self.len..end) else {
            return Err(io::ErrorKind::WriteZero.into());
        };
        slot.copy_from_slice(buf);
        self.len = end;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::types::CreateTokenInput;

    fn sent<T: Serialize>(body: &T) -> Option<Vec<u8>> {
        let client = reqwest::Client::new();
        let request = json_unless_empty(client.post("https://api.turso.tech/x"), body)
            .build()
            .unwrap();
        let content_type = request.headers().get("content-type").cloned();
        let bytes = request.body().map(|b| b.as_bytes().unwrap().to_vec());
        assert_eq!(content_type.is_some(), bytes.is_some());
        bytes
    }

    #[test]
    fn an_empty_object_is_not_sent_and_anything_else_is_sent_as_json_would_send_it() {
        assert_eq!(sent(&CreateTokenInput::default()), None);
        assert_eq!(sent(&serde_json::json!({})), None);
        for body in [
            serde_json::json!({"a": 1}),
            serde_json::json!([]),
            serde_json::json!({"permissions": {"read_attach": {"databases": ["x"]}}}),
            serde_json::json!(null),
            serde_json::json!("{}"),
            serde_json::json!(7),
        ] {
            assert_eq!(
                sent(&body),
                Some(serde_json::to_vec(&body).unwrap()),
                "{body}"
            );
        }
    }
}
