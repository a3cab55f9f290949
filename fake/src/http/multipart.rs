//! The one field of a `multipart/form-data` body that the uploads of Turso's CLI send
//! (`file`, a dump or a database), read within a size limit.

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;

use crate::http::answer::ApiError;

/// The content of the field `name` of a `multipart/form-data` body of at most `limit`
/// bytes, which arrives within `timeout`: 400 for a body that is not one, has no such
/// field or is larger, 408 for one that does not arrive in time.
pub(crate) async fn field(
    headers: &HeaderMap,
    body: Body,
    name: &str,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, ApiError> {
    let boundary = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (kind, parameters) = value.split_once(';')?;
            kind.trim()
                .eq_ignore_ascii_case("multipart/form-data")
                .then_some(parameters)
        })
        .and_then(|parameters| {
            parameters.split(';').find_map(|parameter| {
                let (key, value) = parameter.trim().split_once('=')?;
                key.eq_ignore_ascii_case("boundary")
                    .then(|| value.trim_matches('"').to_owned())
            })
        })
        .filter(|boundary| !boundary.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "the upload must be multipart/form-data with a boundary, its file in the field \
                 `file`",
            )
        })?;
    let bytes = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| ApiError::request_timeout("the upload did not arrive in time"))?
        .map_err(|_| {
            ApiError::bad_request(format!(
                "the upload could not be read, or is larger than {} MiB",
                limit / (1024 * 1024)
            ))
        })?;
    parse(&bytes, &boundary, name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "the upload has no field {name:?}: send the file as the form field `{name}`"
        ))
    })
}

/// The content of the part named `name` of a multipart body with this boundary.
fn parse(body: &[u8], boundary: &str, name: &str) -> Option<Vec<u8>> {
    let delimiter = format!("--{boundary}");
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return None;
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let wanted = head.lines().any(|line| {
            let (key, value) = line.split_once(':').unwrap_or_default();
            key.trim().eq_ignore_ascii_case("content-disposition")
                && value
                    .split(';')
                    .any(|part| part.trim() == format!("name=\"{name}\""))
        });
        if wanted {
            return Some(content[..end].to_vec());
        }
        rest = &content[end + 2 + delimiter.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_field_is_read_and_nothing_else() {
        let body = b"--XY\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nno\r\n--XY\r\n\
            Content-Disposition: form-data; name=\"file\"; filename=\"a.sql\"\r\n\
            Content-Type: application/octet-stream\r\n\r\nCREATE TABLE t(x);\r\n--XY--\r\n";
        assert_eq!(parse(body, "XY", "file").unwrap(), b"CREATE TABLE t(x);");
        assert_eq!(parse(body, "XY", "missing"), None);
        assert_eq!(parse(b"garbage", "XY", "file"), None);
        assert_eq!(parse(b"--XY--\r\n", "XY", "file"), None);
    }
}
