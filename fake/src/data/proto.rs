//! The JSON of Hrana over HTTP (versions 2 and 3), as sqld reads and writes it: requests
//! with unknown keys ignored and `null` as "not given", integers as decimal strings,
//! blobs in base64 (written without padding, read with or without), answers with every
//! key the clients require.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// A `null` or missing list, read as empty.
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// `POST /v2/pipeline`, `POST /v3/pipeline`.
#[derive(Debug, Deserialize)]
pub(crate) struct PipelineRequest {
    #[serde(default)]
    pub(crate) baton: Option<String>,
    pub(crate) requests: Vec<StreamRequest>,
}

/// `POST /v3/cursor`.
#[derive(Debug, Deserialize)]
pub(crate) struct CursorRequest {
    #[serde(default)]
    pub(crate) baton: Option<String>,
    pub(crate) batch: Batch,
}

/// One request of a pipeline.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamRequest {
    Close,
    Execute {
        stmt: Stmt,
    },
    Batch {
        batch: Batch,
    },
    Sequence {
        #[serde(default)]
        sql: Option<String>,
        #[serde(default)]
        sql_id: Option<i32>,
    },
    Describe {
        #[serde(default)]
        sql: Option<String>,
        #[serde(default)]
        sql_id: Option<i32>,
    },
    StoreSql {
        sql_id: i32,
        sql: String,
    },
    CloseSql {
        sql_id: i32,
    },
    GetAutocommit,
}

/// A statement.
#[derive(Debug, Deserialize)]
pub(crate) struct Stmt {
    #[serde(default)]
    pub(crate) sql: Option<String>,
    #[serde(default)]
    pub(crate) sql_id: Option<i32>,
    #[serde(default, deserialize_with = "list")]
    pub(crate) args: Vec<Value>,
    #[serde(default, deserialize_with = "list")]
    pub(crate) named_args: Vec<NamedArg>,
    #[serde(default)]
    pub(crate) want_rows: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NamedArg {
    pub(crate) name: String,
    pub(crate) value: Value,
}

/// A batch: steps that run one after the other, each if its condition holds.
#[derive(Debug, Deserialize)]
pub(crate) struct Batch {
    #[serde(deserialize_with = "list")]
    pub(crate) steps: Vec<BatchStep>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct BatchStep {
    #[serde(default)]
    pub(crate) condition: Option<BatchCond>,
    pub(crate) stmt: Stmt,
}

/// When a step of a batch runs.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum BatchCond {
    Ok {
        step: u32,
    },
    Error {
        step: u32,
    },
    Not {
        cond: Box<BatchCond>,
    },
    And {
        #[serde(deserialize_with = "list")]
        conds: Vec<BatchCond>,
    },
    Or {
        #[serde(deserialize_with = "list")]
        conds: Vec<BatchCond>,
    },
    IsAutocommit,
}

/// A value, in and out.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Integer(i64),
    Float(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        enum Wire {
            Null,
            Integer { value: String },
            Float { value: Option<f64> },
            Text { value: String },
            Blob { base64: String },
        }
        Ok(match Wire::deserialize(d)? {
            Wire::Null => Value::Null,
            Wire::Integer { value } => Value::Integer(
                value
                    .parse()
                    .map_err(|_| de::Error::custom(format!("invalid integer value {value:?}")))?,
            ),
            Wire::Float { value } => Value::Float(value.unwrap_or(f64::NAN)),
            Wire::Text { value } => Value::Text(value),
            Wire::Blob { base64 } => Value::Blob(
                STANDARD_NO_PAD
                    .decode(base64.trim_end_matches('='))
                    .map_err(|_| de::Error::custom("invalid base64 in a blob value"))?,
            ),
        })
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = s.serialize_map(Some(2))?;
        match self {
            Value::Null => map.serialize_entry("type", "null")?,
            Value::Integer(value) => {
                map.serialize_entry("type", "integer")?;
                map.serialize_entry("value", &value.to_string())?;
            }
            Value::Float(value) => {
                map.serialize_entry("type", "float")?;
                // Not a number and infinities are `null`, as sqld writes them.
                map.serialize_entry("value", &value.is_finite().then_some(*value))?;
            }
            Value::Text(value) => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("value", value)?;
            }
            Value::Blob(value) => {
                map.serialize_entry("type", "blob")?;
                map.serialize_entry("base64", &STANDARD_NO_PAD.encode(value))?;
            }
        }
        map.end()
    }
}

/// How many bytes, about, the value SQLite gave takes in an answer: its JSON, escapes
/// included (a control character is written in 6 bytes), base64 for a blob.
pub(crate) fn weight(value: rusqlite::types::ValueRef<'_>) -> usize {
    use rusqlite::types::ValueRef;
    24 + match value {
        ValueRef::Text(text) => text
            .iter()
            .map(|&byte| match byte {
                b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
                0..0x20 => 6,
                _ => 1,
            })
            .sum(),
        ValueRef::Blob(blob) => blob.len().div_ceil(3) * 4,
        _ => 0,
    }
}

/// The answer of a pipeline.
#[derive(Debug, Serialize)]
pub(crate) struct PipelineResponse {
    pub(crate) baton: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) results: Vec<StreamResult>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamResult {
    Ok { response: StreamResponse },
    Error { error: ErrorBody },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamResponse {
    Close,
    Execute { result: StmtResult },
    Batch { result: BatchResult },
    Sequence,
    Describe { result: DescribeResult },
    StoreSql,
    CloseSql,
    GetAutocommit { is_autocommit: bool },
}

/// What a statement answered.
#[derive(Debug, Default, Serialize)]
pub(crate) struct StmtResult {
    pub(crate) cols: Vec<Col>,
    pub(crate) rows: Vec<Vec<Value>>,
    pub(crate) affected_row_count: u64,
    pub(crate) last_insert_rowid: Option<String>,
    pub(crate) replication_index: Option<String>,
    pub(crate) rows_read: u64,
    pub(crate) rows_written: u64,
    pub(crate) query_duration_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Col {
    pub(crate) name: String,
    pub(crate) decltype: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct BatchResult {
    pub(crate) step_results: Vec<Option<StmtResult>>,
    pub(crate) step_errors: Vec<Option<ErrorBody>>,
    pub(crate) replication_index: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DescribeResult {
    pub(crate) params: Vec<DescribeParam>,
    pub(crate) cols: Vec<Col>,
    pub(crate) is_explain: bool,
    pub(crate) is_readonly: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct DescribeParam {
    pub(crate) name: Option<String>,
}

/// An error inside an answer: what went wrong, and its code (`SQLITE_CONSTRAINT`,
/// `BLOCKED`, ...).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct ErrorBody {
    pub(crate) message: String,
    pub(crate) code: String,
}

impl ErrorBody {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: code.to_owned(),
        }
    }
}

/// One line of a cursor's answer after the first.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum CursorEntry {
    StepBegin {
        step: usize,
        cols: Vec<Col>,
    },
    StepEnd {
        affected_row_count: u64,
        last_insert_rowid: Option<String>,
    },
    StepError {
        step: usize,
        error: ErrorBody,
    },
    Row {
        row: Vec<Value>,
    },
    ReplicationIndex {
        replication_index: Option<String>,
    },
}

/// The first line of a cursor's answer.
#[derive(Debug, Serialize)]
pub(crate) struct CursorHead {
    pub(crate) baton: Option<String>,
    pub(crate) base_url: Option<String>,
}

/// Blobs are read padded or not.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_and_write_as_sqld_does() {
        let read: Vec<Value> = serde_json::from_str(
            r#"[{"type":"null"},{"type":"integer","value":"-9223372036854775808"},
                {"type":"float","value":1.5},{"type":"text","value":"é"},
                {"type":"blob","base64":"3q2+7w=="},{"type":"blob","base64":"3q2+7w"}]"#,
        )
        .unwrap();
        assert_eq!(
            read,
            [
                Value::Null,
                Value::Integer(i64::MIN),
                Value::Float(1.5),
                Value::Text("é".into()),
                Value::Blob(vec![0xde, 0xad, 0xbe, 0xef]),
                Value::Blob(vec![0xde, 0xad, 0xbe, 0xef]),
            ]
        );
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            r#"[{"type":"null"},{"type":"integer","value":"-9223372036854775808"},{"type":"float","value":1.5},{"type":"text","value":"é"},{"type":"blob","base64":"3q2+7w"},{"type":"blob","base64":"3q2+7w"}]"#
        );
        assert_eq!(
            serde_json::to_string(&Value::Float(f64::INFINITY)).unwrap(),
            r#"{"type":"float","value":null}"#
        );
        for refused in [
            r#"{"type":"integer","value":1}"#,
            r#"{"type":"integer","value":"1.5"}"#,
            r#"{"type":"blob","base64":"!!"}"#,
            r#"{"type":"date"}"#,
        ] {
            assert!(serde_json::from_str::<Value>(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn requests_take_nulls_and_unknown_keys() {
        let request: PipelineRequest = serde_json::from_str(
            r#"{"baton":null,"requests":[{"type":"batch","batch":{"steps":[{"condition":null,
                "stmt":{"sql":"SELECT 1","sql_id":null,"args":null,"named_args":[],
                "want_rows":null,"replication_index":null}}],"replication_index":null}},
                {"type":"get_autocommit"},{"type":"close"}],"extra":1}"#,
        )
        .unwrap();
        assert_eq!(request.requests.len(), 3);
    }
}
