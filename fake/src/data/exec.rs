//! Running Hrana requests on a stream's connection, in two passes, as sqld does:
//!
//! 1. [`plan`]: every request is read before anything runs: the SQL of each statement is
//!    found (`sql`, or a stored `sql_id`), what the protocol forbids is refused for the
//!    whole request (400), and every statement is classified, so that a read-only token
//!    asking for a write, or an `ATTACH` of a database the token may not read, is refused
//!    (403) before anything runs: a write never half-happens.
//! 2. [`run`]: the requests run in order; each error is in-band, and the next request
//!    runs all the same.
//!
//! A statement runs at most [`STATEMENT_TIME_LIMIT`](super::storage::STATEMENT_TIME_LIMIT)
//! (then it is interrupted), and an answer holds at most [`MAX_RESULT`] bytes of rows
//! (`RESPONSE_TOO_LARGE` past that).

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, Statement, StatementStatus};

use super::proto::{
    self, Batch, BatchCond, BatchResult, Col, CursorEntry, DescribeParam, DescribeResult,
    ErrorBody, Stmt, StmtResult, StreamRequest, StreamResponse, StreamResult, Value,
};
use super::sql::{self, Kind};
use super::streams::{MAX_STORED_SQL, MAX_STORED_SQL_BYTES, Stream};
use crate::model::UsageReport;

/// The most bytes of rows one answer carries.
pub(crate) const MAX_RESULT: usize = 10 * 1024 * 1024;
/// The longest SQL text kept in a database's statistics, in bytes.
const MAX_QUERY_TEXT: usize = 1_000;
/// How many distinct statements one request reports to the statistics.
const MAX_QUERIES_REPORTED: usize = 1_000;

/// Why a whole request is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 400, text: the protocol forbids it.
    Protocol(String),
    /// 403: the token may not do it.
    Forbidden(String),
}

/// What the token may do, as far as running statements goes.
pub(crate) struct Access<'a> {
    /// A read-only token (`a: ro`).
    pub(crate) read_only: bool,
    /// Whether the token may attach the database named so (and where it is), or why not.
    pub(crate) attach: &'a (dyn Fn(&str) -> Result<String, String> + Send + Sync),
}

/// The database's configuration, as statements see it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Blocks {
    pub(crate) reads: bool,
    pub(crate) writes: bool,
}

/// A statement, its SQL found.
#[derive(Debug)]
pub(crate) struct Resolved {
    sql: String,
    /// What the SQL is, read once.
    analysis: sql::Analysis,
    args: Vec<Value>,
    named_args: Vec<(String, Value)>,
    want_rows: bool,
}

impl Resolved {
    fn new(
        sql: String,
        args: Vec<Value>,
        named_args: Vec<(String, Value)>,
        want_rows: bool,
    ) -> Self {
        Self {
            analysis: sql::analyze(&sql),
            sql,
            args,
            named_args,
            want_rows,
        }
    }

    /// The same, reusing `previous`'s reading when its SQL is the same (a batch repeats
    /// its statements).
    fn after(
        sql: String,
        args: Vec<Value>,
        named_args: Vec<(String, Value)>,
        want_rows: bool,
        previous: Option<&Resolved>,
    ) -> Self {
        match previous {
            Some(previous) if previous.sql == sql => Self {
                analysis: previous.analysis,
                sql,
                args,
                named_args,
                want_rows,
            },
            _ => Self::new(sql, args, named_args, want_rows),
        }
    }
}

/// The steps of a batch, read: each with its condition.
pub(crate) type Steps = Vec<(Option<BatchCond>, Resolved)>;

/// Where the databases a request attaches are, by the name used.
pub(crate) type Attachments = HashMap<String, String>;

/// A request, read.
#[derive(Debug)]
pub(crate) enum Planned {
    Close,
    Execute(Resolved),
    Batch(Steps),
    Sequence(String),
    Describe(String),
    StoreSql,
    CloseSql,
    GetAutocommit,
    /// An in-band error known before it runs (stored SQL limits).
    Fail(ErrorBody),
}

/// The requests of a pipeline, read, and the stored SQL texts once they are applied.
pub(crate) struct Plan {
    pub(crate) requests: Vec<Planned>,
    pub(crate) stored: HashMap<i32, String>,
    /// ATTACH targets, by the name used, where they are.
    attachments: Attachments,
}

fn resolve(
    stored: &HashMap<i32, String>,
    sql: Option<String>,
    sql_id: Option<i32>,
) -> Result<String, Refusal> {
    match (sql, sql_id) {
        (Some(sql), None) => Ok(sql),
        (None, Some(id)) => stored
            .get(&id)
            .cloned()
            .ok_or_else(|| Refusal::Protocol(format!("SQL text {id} not found"))),
        (Some(_), Some(_)) => Err(Refusal::Protocol(
            "Either `sql` or `sql_id` are required, but not both".to_owned(),
        )),
        (None, None) => Err(Refusal::Protocol(
            "Either `sql` or `sql_id` are required".to_owned(),
        )),
    }
}

fn resolve_stmt(
    stored: &HashMap<i32, String>,
    stmt: Stmt,
    previous: Option<&Resolved>,
) -> Result<Resolved, Refusal> {
    Ok(Resolved::after(
        resolve(stored, stmt.sql, stmt.sql_id)?,
        stmt.args,
        stmt.named_args
            .into_iter()
            .map(|arg| (arg.name, arg.value))
            .collect(),
        stmt.want_rows.unwrap_or(true),
        previous,
    ))
}

fn check_cond(cond: &BatchCond, index: usize, version: u8) -> Result<(), Refusal> {
    match cond {
        BatchCond::Ok { step } | BatchCond::Error { step } => {
            if (*step as usize) < index {
                Ok(())
            } else {
                Err(Refusal::Protocol(
                    "Invalid reference to step in a batch condition".to_owned(),
                ))
            }
        }
        BatchCond::Not { cond } => check_cond(cond, index, version),
        BatchCond::And { conds } | BatchCond::Or { conds } => conds
            .iter()
            .try_for_each(|cond| check_cond(cond, index, version)),
        BatchCond::IsAutocommit => {
            if version >= 3 {
                Ok(())
            } else {
                Err(Refusal::Protocol(
                    "BatchCond of type `is_autocommit` is only supported in protocol version \
                     hrana3 and higher"
                        .to_owned(),
                ))
            }
        }
    }
}

/// Reads a batch: its statements found, its conditions checked.
pub(crate) fn plan_batch(
    stored: &HashMap<i32, String>,
    batch: Batch,
    version: u8,
) -> Result<Steps, Refusal> {
    let mut steps: Steps = Vec::with_capacity(batch.steps.len());
    for (index, step) in batch.steps.into_iter().enumerate() {
        if let Some(cond) = &step.condition {
            check_cond(cond, index, version)?;
        }
        let previous = steps.last().map(|(_, stmt)| stmt);
        let stmt = resolve_stmt(stored, step.stmt, previous)?;
        steps.push((step.condition, stmt));
    }
    Ok(steps)
}

/// Reads a pipeline's requests (see the module's documentation).
pub(crate) fn plan(
    requests: Vec<StreamRequest>,
    stored: &HashMap<i32, String>,
    version: u8,
    access: &Access<'_>,
) -> Result<Plan, Refusal> {
    let mut stored = stored.clone();
    let mut planned = Vec::with_capacity(requests.len());
    let mut closed = false;
    for request in requests {
        let needs_database = !matches!(
            request,
            StreamRequest::Close | StreamRequest::StoreSql { .. } | StreamRequest::CloseSql { .. }
        );
        if closed && needs_database {
            return Err(Refusal::Protocol(
                "Stream for this baton was closed".to_owned(),
            ));
        }
        planned.push(match request {
            StreamRequest::Close => {
                closed = true;
                Planned::Close
            }
            StreamRequest::Execute { stmt } => Planned::Execute(resolve_stmt(&stored, stmt, None)?),
            StreamRequest::Batch { batch } => Planned::Batch(plan_batch(&stored, batch, version)?),
            StreamRequest::Sequence { sql, sql_id } => {
                Planned::Sequence(resolve(&stored, sql, sql_id)?)
            }
            StreamRequest::Describe { sql, sql_id } => {
                Planned::Describe(resolve(&stored, sql, sql_id)?)
            }
            StreamRequest::StoreSql { sql_id, sql } => {
                if stored.contains_key(&sql_id) {
                    return Err(Refusal::Protocol(format!(
                        "SQL text {sql_id} already exists"
                    )));
                }
                if stored.len() >= MAX_STORED_SQL {
                    Planned::Fail(ErrorBody::new(
                        "SQL_STORE_TOO_MANY",
                        format!(
                            "The server already stores {MAX_STORED_SQL} SQL texts, it cannot \
                             store more"
                        ),
                    ))
                } else if sql.len() > MAX_STORED_SQL_BYTES {
                    Planned::Fail(ErrorBody::new(
                        "SQL_STORE_TOO_LARGE",
                        format!(
                            "The statement is too large to be stored: {}/5.0 KB",
                            sql.len()
                        ),
                    ))
                } else {
                    stored.insert(sql_id, sql);
                    Planned::StoreSql
                }
            }
            StreamRequest::CloseSql { sql_id } => {
                stored.remove(&sql_id);
                Planned::CloseSql
            }
            StreamRequest::GetAutocommit => {
                if version < 3 {
                    return Err(Refusal::Protocol(
                        "The `get_autocommit` request is only supported in protocol version \
                         hrana3 and higher"
                            .to_owned(),
                    ));
                }
                Planned::GetAutocommit
            }
        });
    }
    let mut plan = Plan {
        requests: planned,
        stored,
        attachments: HashMap::new(),
    };
    plan.authorize(access)?;
    Ok(plan)
}

impl Plan {
    /// Every statement of every request, as the token may run them, or the 403.
    fn authorize(&mut self, access: &Access<'_>) -> Result<(), Refusal> {
        let mut texts: Vec<(&str, Kind)> = Vec::new();
        for request in &self.requests {
            match request {
                Planned::Execute(stmt) => texts.push((&stmt.sql, stmt.analysis.kind)),
                Planned::Batch(steps) => texts.extend(
                    steps
                        .iter()
                        .map(|(_, stmt)| (stmt.sql.as_str(), stmt.analysis.kind)),
                ),
                Planned::Sequence(sql) => texts.extend(
                    sql::statements(sql)
                        .into_iter()
                        .map(|text| (text, sql::classify(text))),
                ),
                // Describing a statement prepares it, which is enough for a pragma's
                // flag to be set: such a statement needs the right to run it.
                Planned::Describe(sql) => {
                    let analysis = sql::analyze(sql);
                    if analysis.session {
                        texts.push((sql, analysis.kind));
                    }
                }
                _ => {}
            }
        }
        for (text, kind) in texts {
            if access.read_only && !kind.reads_only() {
                return Err(Refusal::Forbidden(
                    "Current session doesn't have Write permission to this database: the \
                     token is read-only"
                        .to_owned(),
                ));
            }
            if kind == Kind::Attach {
                let Some((name, _)) = sql::attach_target(text) else {
                    continue;
                };
                let location = (access.attach)(&name).map_err(Refusal::Forbidden)?;
                self.attachments.insert(name, location);
            }
        }
        Ok(())
    }
}

/// What a pipeline's run leaves: the results, one per request, whether the stream was
/// closed, and what ran.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) results: Vec<StreamResult>,
    pub(crate) closed: bool,
    pub(crate) usage: UsageReport,
}

/// Runs a pipeline's requests on `stream`.
pub(crate) fn run(
    stream: &mut Stream,
    plan: Plan,
    access_read_only: bool,
    blocks: Blocks,
) -> Outcome {
    let mut runner = Runner {
        stream,
        read_only: access_read_only,
        blocks,
        attachments: plan.attachments,
        usage: UsageReport::default(),
        budget: MAX_RESULT,
    };
    runner.stream.stored = plan.stored;
    let mut results = Vec::with_capacity(plan.requests.len());
    let mut closed = false;
    for request in plan.requests {
        let result = match request {
            Planned::Close => {
                closed = true;
                Ok(StreamResponse::Close)
            }
            Planned::Execute(stmt) => runner
                .statement(&stmt)
                .map(|result| StreamResponse::Execute { result }),
            Planned::Batch(steps) => Ok(StreamResponse::Batch {
                result: runner.batch(&steps),
            }),
            Planned::Sequence(sql) => runner.sequence(&sql).map(|()| StreamResponse::Sequence),
            Planned::Describe(sql) => runner
                .describe(&sql)
                .map(|result| StreamResponse::Describe { result }),
            Planned::StoreSql => Ok(StreamResponse::StoreSql),
            Planned::CloseSql => Ok(StreamResponse::CloseSql),
            Planned::GetAutocommit => Ok(StreamResponse::GetAutocommit {
                is_autocommit: runner.stream.conn.sqlite.is_autocommit(),
            }),
            Planned::Fail(error) => Err(error),
        };
        results.push(match result {
            Ok(response) => StreamResult::Ok { response },
            Err(error) => StreamResult::Error { error },
        });
    }
    if runner.usage.rows_written > 0 {
        runner.usage.storage_bytes = Some(super::storage::Data::size(&runner.stream.conn.sqlite));
    }
    Outcome {
        results,
        closed,
        usage: runner.usage,
    }
}

/// Runs a cursor's batch on `stream`: its entries, one line each after the head.
pub(crate) fn run_cursor(
    stream: &mut Stream,
    steps: Steps,
    attachments: Attachments,
    read_only: bool,
    blocks: Blocks,
) -> (Vec<CursorEntry>, UsageReport) {
    let mut runner = Runner {
        stream,
        read_only,
        blocks,
        attachments,
        usage: UsageReport::default(),
        budget: MAX_RESULT,
    };
    let mut entries = Vec::new();
    let mut outcomes: Vec<bool> = Vec::with_capacity(steps.len());
    for (step, (cond, stmt)) in steps.iter().enumerate() {
        let enabled = cond
            .as_ref()
            .is_none_or(|cond| runner.holds(cond, &outcomes));
        if !enabled {
            outcomes.push(false);
            continue;
        }
        match runner.statement(stmt) {
            Ok(result) => {
                entries.push(CursorEntry::StepBegin {
                    step,
                    cols: result.cols,
                });
                entries.extend(result.rows.into_iter().map(|row| CursorEntry::Row { row }));
                entries.push(CursorEntry::StepEnd {
                    affected_row_count: result.affected_row_count,
                    last_insert_rowid: result.last_insert_rowid,
                });
                outcomes.push(true);
            }
            Err(error) => {
                entries.push(CursorEntry::StepError { step, error });
                outcomes.push(false);
            }
        }
    }
    entries.push(CursorEntry::ReplicationIndex {
        replication_index: None,
    });
    if runner.usage.rows_written > 0 {
        runner.usage.storage_bytes = Some(super::storage::Data::size(&runner.stream.conn.sqlite));
    }
    (entries, runner.usage)
}

/// Reads a cursor's batch and authorizes it (the same checks as [`plan`]).
pub(crate) fn plan_cursor(
    batch: Batch,
    stored: &HashMap<i32, String>,
    access: &Access<'_>,
) -> Result<(Steps, Attachments), Refusal> {
    let steps = plan_batch(stored, batch, 3)?;
    let mut plan = Plan {
        requests: vec![Planned::Batch(steps)],
        stored: HashMap::new(),
        attachments: HashMap::new(),
    };
    plan.authorize(access)?;
    let Some(Planned::Batch(steps)) = plan.requests.pop() else {
        return Err(Refusal::Protocol("a cursor needs a batch".to_owned()));
    };
    Ok((steps, plan.attachments))
}

struct Runner<'a> {
    stream: &'a mut Stream,
    read_only: bool,
    blocks: Blocks,
    attachments: Attachments,
    usage: UsageReport,
    /// Bytes of rows still allowed in the answer.
    budget: usize,
}

/// The Hrana code of an SQLite error: `SQLITE_` and its primary code's name, as sqld
/// names them (`SQLITE_UNKNOWN` for a plain `SQLITE_ERROR`).
/// A statement's columns: names and declared types.
fn cols_of(statement: &Statement<'_>) -> Vec<Col> {
    statement
        .columns()
        .iter()
        .map(|column| Col {
            name: column.name().to_owned(),
            decltype: column.decl_type().map(str::to_owned),
        })
        .collect()
}

pub(crate) fn sqlite_code(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InternalMalfunction => "SQLITE_INTERNAL",
        ErrorCode::PermissionDenied => "SQLITE_PERM",
        ErrorCode::OperationAborted => "SQLITE_ABORT",
        ErrorCode::DatabaseBusy => "SQLITE_BUSY",
        ErrorCode::DatabaseLocked => "SQLITE_LOCKED",
        ErrorCode::OutOfMemory => "SQLITE_NOMEM",
        ErrorCode::ReadOnly => "SQLITE_READONLY",
        ErrorCode::OperationInterrupted => "SQLITE_INTERRUPT",
        ErrorCode::SystemIoFailure => "SQLITE_IOERR",
        ErrorCode::DatabaseCorrupt => "SQLITE_CORRUPT",
        ErrorCode::NotFound => "SQLITE_NOTFOUND",
        ErrorCode::DiskFull => "SQLITE_FULL",
        ErrorCode::CannotOpen => "SQLITE_CANTOPEN",
        ErrorCode::FileLockingProtocolFailed => "SQLITE_PROTOCOL",
        ErrorCode::SchemaChanged => "SQLITE_SCHEMA",
        ErrorCode::TooBig => "SQLITE_TOOBIG",
        ErrorCode::ConstraintViolation => "SQLITE_CONSTRAINT",
        ErrorCode::TypeMismatch => "SQLITE_MISMATCH",
        ErrorCode::ApiMisuse => "SQLITE_MISUSE",
        ErrorCode::NoLargeFileSupport => "SQLITE_NOLFS",
        ErrorCode::AuthorizationForStatementDenied => "SQLITE_AUTH",
        ErrorCode::ParameterOutOfRange => "SQLITE_RANGE",
        ErrorCode::NotADatabase => "SQLITE_NOTADB",
        _ => "SQLITE_UNKNOWN",
    }
}

/// An SQLite error as Hrana writes it.
fn sqlite_error(error: rusqlite::Error) -> ErrorBody {
    match error {
        rusqlite::Error::SqlInputError { msg, offset, .. } => ErrorBody::new(
            "SQL_INPUT_ERROR",
            format!("SQL input error: {msg} (at offset {offset})"),
        ),
        rusqlite::Error::SqliteFailure(failure, message) => {
            let code = sqlite_code(failure.code);
            let message = message.unwrap_or_else(|| failure.to_string());
            if failure.code == ErrorCode::OperationInterrupted {
                ErrorBody::new(
                    code,
                    format!(
                        "SQLite error: {message} (the statement ran longer than the fake's \
                         limit, 5 s unless FakeTursoBuilder::statement_timeout says otherwise)"
                    ),
                )
            } else {
                ErrorBody::new(code, format!("SQLite error: {message}"))
            }
        }
        rusqlite::Error::MultipleStatement => ErrorBody::new(
            "SQL_MANY_STATEMENTS",
            "SQL string contains more than one statement",
        ),
        other => ErrorBody::new("SQLITE_UNKNOWN", format!("SQLite error: {other}")),
    }
}

fn args_error(cause: impl std::fmt::Display) -> ErrorBody {
    ErrorBody::new(
        "ARGS_INVALID",
        format!("Arguments do not match SQL parameters: {cause}"),
    )
}

fn to_sql(value: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match value {
        Value::Null => V::Null,
        Value::Integer(i) => V::Integer(*i),
        Value::Float(f) => V::Real(*f),
        Value::Text(t) => V::Text(t.clone()),
        Value::Blob(b) => V::Blob(b.clone()),
    }
}

fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Binds the arguments of `stmt` to its parameters, as sqld does: `?NNN` takes the
/// positional argument NNN, a named parameter (`:x`, `@x`, `$x`) the named argument of
/// that name (with or without its prefix), a plain `?` the positional argument at its
/// index.
fn bind(statement: &mut Statement<'_>, stmt: &Resolved, explain: bool) -> Result<(), ErrorBody> {
    if !stmt.args.is_empty() && !stmt.named_args.is_empty() {
        return Err(ErrorBody::new(
            "ARGS_BOTH_POSITIONAL_AND_NAMED",
            "Specifying both positional and named arguments is not supported",
        ));
    }
    let count = statement.parameter_count();
    if stmt.args.len() > count {
        return Err(args_error(format!(
            "too many parameters, expected {count} found {}",
            stmt.args.len()
        )));
    }
    for index in 1..=count {
        let name = statement.parameter_name(index).map(str::to_owned);
        let value = match name.as_deref() {
            Some(name) if name.starts_with('?') => {
                let position: usize = name[1..].parse().unwrap_or(index);
                stmt.args.get(position.wrapping_sub(1))
            }
            Some(name) => stmt
                .named_args
                .iter()
                .find(|(given, _)| given == name || given.as_str() == &name[1..])
                .map(|(_, value)| value),
            None => stmt.args.get(index - 1),
        };
        match value {
            Some(value) => statement
                .raw_bind_parameter(index, to_sql(value))
                .map_err(sqlite_error)?,
            None if explain => {}
            None => {
                return Err(args_error(match name {
                    Some(name) => format!("value for parameter {name} not found"),
                    None => format!("value for parameter {index} not found"),
                }));
            }
        }
    }
    Ok(())
}

impl Runner<'_> {
    fn conn(&self) -> &Connection {
        &self.stream.conn.sqlite
    }

    /// Runs `PRAGMA query_only` as the token and the transaction need.
    fn settle_query_only(&mut self) -> Result<(), ErrorBody> {
        let wanted = self.read_only || self.stream.read_only_transaction;
        self.stream.conn.query_only(wanted).map_err(sqlite_error)
    }

    /// Runs one statement.
    fn statement(&mut self, stmt: &Resolved) -> Result<StmtResult, ErrorBody> {
        let analysis = stmt.analysis;
        match analysis.statements {
            0 => {
                return Err(ErrorBody::new(
                    "SQL_NO_STATEMENT",
                    "SQL string does not contain any statement",
                ));
            }
            1 => {}
            _ => {
                return Err(ErrorBody::new(
                    "SQL_MANY_STATEMENTS",
                    "SQL string contains more than one statement",
                ));
            }
        }
        let kind = analysis.kind;
        if (self.blocks.reads && kind.blocked_by_reads())
            || (self.blocks.writes && kind.blocked_by_writes())
        {
            return Err(ErrorBody::new("BLOCKED", "Operation was blocked"));
        }
        self.settle_query_only()?;
        let started = Instant::now();
        let result = self.run_statement(stmt, kind);
        self.stream.conn.deadline.stop();
        if let Kind::Begin { read_only: true } = kind
            && result.is_ok()
        {
            self.stream.read_only_transaction = true;
        }
        if self.stream.conn.sqlite.is_autocommit() {
            self.stream.read_only_transaction = false;
        }
        if analysis.session {
            self.stream.stateful = true;
        }
        let mut result = result?;
        result.query_duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.usage.rows_read += result.rows_read;
        self.usage.rows_written += result.rows_written;
        let reported = self.usage.queries.len();
        match self.usage.queries.last_mut() {
            // Consecutive runs of the same statement (a batch of inserts) are one entry.
            Some((text, read, written)) if *text == stmt.sql.trim() => {
                *read += result.rows_read;
                *written += result.rows_written;
            }
            _ if reported < MAX_QUERIES_REPORTED => {
                let mut text = stmt.sql.trim().to_owned();
                if text.len() > MAX_QUERY_TEXT {
                    let mut end = MAX_QUERY_TEXT;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.truncate(end);
                }
                self.usage
                    .queries
                    .push((text, result.rows_read, result.rows_written));
            }
            _ => {}
        }
        Ok(result)
    }

    fn run_statement(&mut self, stmt: &Resolved, kind: Kind) -> Result<StmtResult, ErrorBody> {
        // What SQLite runs: libSQL's `BEGIN READONLY` as a deferred transaction (read-only
        // by `query_only`), sqld's `ATTACH name AS alias` as the named database's file.
        let mut attach_location = None;
        let text: String = if stmt.analysis.begin_readonly {
            "BEGIN DEFERRED".to_owned()
        } else if kind == Kind::Attach {
            let (name, alias) = sql::attach_target(&stmt.sql).ok_or_else(|| {
                ErrorBody::new(
                    "SQL_PARSE_ERROR",
                    "SQL string could not be parsed: only `ATTACH <database> AS <alias>` is \
                     supported, naming another database of the organization",
                )
            })?;
            attach_location = self.attachments.get(&name).cloned();
            format!("ATTACH ?1 AS \"{}\"", alias.replace('"', "\"\""))
        } else {
            stmt.sql.clone()
        };
        let budget = self.budget;
        let conn = &self.stream.conn;
        // The sandbox lets this statement do what it was classified for and no more:
        // attach a file (the data plane's own ATTACH), set its pragma (never one of the
        // fake's own settings).
        let _attaching = attach_location.as_ref().map(|_| conn.permit.attach());
        // (A pragma that sets is a session statement: only those are read again.)
        let _setting = stmt
            .analysis
            .session
            .then(|| sql::setting_pragma(&text))
            .flatten()
            .filter(|name| super::sandbox::client_may_set(name))
            .map(|name| conn.permit.pragma(&name));
        let mut statement = conn.sqlite.prepare_cached(&text).map_err(sqlite_error)?;
        // A cached statement's counters add up over its runs.
        statement.reset_status(StatementStatus::FullscanStep);
        if let Some(location) = &attach_location {
            statement
                .raw_bind_parameter(1, location.as_str())
                .map_err(sqlite_error)?;
        } else {
            let explain = statement.is_explain() != 0;
            bind(&mut statement, stmt, explain)?;
        }
        conn.deadline.start();
        let mut rows_out = Vec::new();
        let mut returned = 0u64;
        let mut spent = 0usize;
        {
            let mut rows = statement.raw_query();
            while let Some(row) = rows.next().map_err(sqlite_error)? {
                returned += 1;
                if !stmt.want_rows {
                    continue;
                }
                // Read from the row: a cached statement whose table changed since it was
                // prepared is prepared again at its first step, columns included.
                let width = row.as_ref().column_count();
                let mut values = Vec::with_capacity(width);
                for i in 0..width {
                    // Weighed before it is copied: a row of many large values fails at
                    // the first one past the budget, not once all are copied.
                    let value = row.get_ref(i).map_err(sqlite_error)?;
                    spent = spent.saturating_add(proto::weight(value));
                    if spent > budget {
                        return Err(ErrorBody::new(
                            "RESPONSE_TOO_LARGE",
                            "Response is too large",
                        ));
                    }
                    values.push(from_sql(value));
                }
                rows_out.push(values);
            }
        }
        conn.deadline.stop();
        // After the first step, for the same reason.
        let cols = cols_of(&statement);
        self.budget = budget.saturating_sub(spent);
        let scanned = statement.get_status(StatementStatus::FullscanStep).max(0) as u64;
        let (changes, insert) = match kind {
            Kind::Write { iud: true, insert } => (conn.sqlite.changes(), insert),
            _ => (0, false),
        };
        Ok(StmtResult {
            cols,
            rows: rows_out,
            affected_row_count: changes,
            last_insert_rowid: insert.then(|| conn.sqlite.last_insert_rowid().to_string()),
            replication_index: None,
            rows_read: returned + scanned,
            rows_written: changes,
            query_duration_ms: 0.0,
        })
    }

    /// Whether a batch step's condition holds, given the earlier steps' outcomes.
    fn holds(&self, cond: &BatchCond, outcomes: &[bool]) -> bool {
        match cond {
            BatchCond::Ok { step } => outcomes.get(*step as usize).copied().unwrap_or(false),
            // True for a step that did not run, as in sqld.
            BatchCond::Error { step } => !outcomes.get(*step as usize).copied().unwrap_or(false),
            BatchCond::Not { cond } => !self.holds(cond, outcomes),
            BatchCond::And { conds } => conds.iter().all(|cond| self.holds(cond, outcomes)),
            BatchCond::Or { conds } => conds.iter().any(|cond| self.holds(cond, outcomes)),
            BatchCond::IsAutocommit => self.conn().is_autocommit(),
        }
    }

    fn batch(&mut self, steps: &[(Option<BatchCond>, Resolved)]) -> BatchResult {
        let mut result = BatchResult::default();
        let mut outcomes = Vec::with_capacity(steps.len());
        for (cond, stmt) in steps {
            let enabled = cond.as_ref().is_none_or(|cond| self.holds(cond, &outcomes));
            if !enabled {
                outcomes.push(false);
                result.step_results.push(None);
                result.step_errors.push(None);
                continue;
            }
            match self.statement(stmt) {
                Ok(ok) => {
                    outcomes.push(true);
                    result.step_results.push(Some(ok));
                    result.step_errors.push(None);
                }
                Err(error) => {
                    outcomes.push(false);
                    result.step_results.push(None);
                    result.step_errors.push(Some(error));
                }
            }
        }
        result
    }

    fn sequence(&mut self, sql: &str) -> Result<(), ErrorBody> {
        for statement in sql::statements(sql) {
            self.statement(&Resolved::new(
                statement.to_owned(),
                Vec::new(),
                Vec::new(),
                false,
            ))?;
        }
        Ok(())
    }

    fn describe(&mut self, sql: &str) -> Result<DescribeResult, ErrorBody> {
        if self.blocks.reads {
            return Err(ErrorBody::new("BLOCKED", "Operation was blocked"));
        }
        let analysis = sql::analyze(sql);
        if analysis.statements == 0 {
            return Err(ErrorBody::new(
                "SQL_NO_STATEMENT",
                "SQL string does not contain any statement",
            ));
        }
        // Prepared, a pragma sets its flag: the connection is the stream's own from now.
        if analysis.session {
            self.stream.stateful = true;
        }
        let statement = self.conn().prepare(sql).map_err(sqlite_error)?;
        let params = (1..=statement.parameter_count())
            .map(|i| DescribeParam {
                name: statement.parameter_name(i).map(str::to_owned),
            })
            .collect();
        let cols = cols_of(&statement);
        Ok(DescribeResult {
            params,
            cols,
            is_explain: statement.is_explain() != 0,
            is_readonly: statement.readonly(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::proto::PipelineRequest;
    use crate::data::storage::Data;
    use crate::data::storage::tests::TestStorage;

    fn stream(name: &str) -> (TestStorage, Stream) {
        let storage = TestStorage::new();
        let data = Data::open(
            &storage.0,
            name,
            true,
            crate::data::storage::STATEMENT_TIME_LIMIT,
        )
        .unwrap();
        let stream = Stream::new(data.connect().unwrap());
        (storage, stream)
    }

    fn no_attach(name: &str) -> Result<String, String> {
        Err(format!("no {name}"))
    }

    fn pipeline(stream: &mut Stream, read_only: bool, json: &str) -> Result<Outcome, Refusal> {
        let request: PipelineRequest = serde_json::from_str(json).unwrap();
        let access = Access {
            read_only,
            attach: &no_attach,
        };
        let plan = plan(request.requests, &stream.stored, 3, &access)?;
        Ok(run(stream, plan, read_only, Blocks::default()))
    }

    fn answers(outcome: &Outcome) -> serde_json::Value {
        serde_json::to_value(&outcome.results).unwrap()
    }

    #[test]
    fn statements_run_with_every_value_type_and_errors_stay_in_band() {
        let (_data, mut s) = stream("exec-values");
        let outcome = pipeline(
            &mut s,
            false,
            r#"{"requests":[
              {"type":"execute","stmt":{"sql":"CREATE TABLE t (i INTEGER, f REAL, x TEXT, b BLOB, n)"}},
              {"type":"execute","stmt":{"sql":"INSERT INTO t VALUES (?, ?, :x, ?4, NULL)","args":[
                {"type":"integer","value":"9007199254740993"},{"type":"float","value":1.5},
                {"type":"null"},{"type":"blob","base64":"AAE"}]}},
              {"type":"execute","stmt":{"sql":"SELEC 1"}},
              {"type":"execute","stmt":{"sql":"SELECT * FROM t"}}]}"#,
        )
        .unwrap();
        let value = answers(&outcome);
        // Named and positional together: refused in-band, the rest runs.
        assert_eq!(value[1]["type"], "error", "{value}");
        assert_eq!(value[2]["error"]["code"], "SQL_INPUT_ERROR");
        assert_eq!(
            value[3]["response"]["result"]["rows"],
            serde_json::json!([])
        );

        let outcome = pipeline(
            &mut s,
            false,
            r#"{"requests":[
              {"type":"execute","stmt":{"sql":"INSERT INTO t VALUES (?, ?, ?, ?, NULL)","args":[
                {"type":"integer","value":"9007199254740993"},{"type":"float","value":1.5},
                {"type":"text","value":"é"},{"type":"blob","base64":"AAE"}]}},
              {"type":"execute","stmt":{"sql":"SELECT * FROM t"}}]}"#,
        )
        .unwrap();
        let value = answers(&outcome);
        let insert = &value[0]["response"]["result"];
        assert_eq!(insert["affected_row_count"], 1);
        assert_eq!(insert["last_insert_rowid"], "1");
        let select = &value[1]["response"]["result"];
        assert_eq!(
            select["cols"][0],
            serde_json::json!({"name": "i", "decltype": "INTEGER"})
        );
        assert_eq!(
            select["rows"][0],
            serde_json::json!([
                {"type": "integer", "value": "9007199254740993"},
                {"type": "float", "value": 1.5},
                {"type": "text", "value": "é"},
                {"type": "blob", "base64": "AAE"},
                {"type": "null"}
            ])
        );
        assert_eq!(select["last_insert_rowid"], serde_json::Value::Null);
        assert_eq!(outcome.usage.rows_written, 1);
    }

    #[test]
    fn a_read_only_token_is_refused_any_write_before_anything_runs() {
        let (_data, mut s) = stream("exec-ro");
        pipeline(
            &mut s,
            false,
            r#"{"requests":[{"type":"execute","stmt":{"sql":"CREATE TABLE t (x)"}}]}"#,
        )
        .unwrap();
        let refused = pipeline(
            &mut s,
            true,
            r#"{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}},
               {"type":"batch","batch":{"steps":[{"stmt":{"sql":"SELECT 2"}},
               {"stmt":{"sql":"INSERT INTO t VALUES (1)"}}]}}]}"#,
        );
        assert!(matches!(refused, Err(Refusal::Forbidden(_))), "{refused:?}");
        let refused = pipeline(
            &mut s,
            true,
            r#"{"requests":[{"type":"sequence","sql":"SELECT 1; DELETE FROM t"}]}"#,
        );
        assert!(matches!(refused, Err(Refusal::Forbidden(_))));
        // A write it could not tell from its text is refused by SQLite.
        let outcome = pipeline(
            &mut s,
            true,
            r#"{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]}"#,
        )
        .unwrap();
        assert_eq!(answers(&outcome)[0]["type"], "ok");
        assert!(s.conn.is_query_only());
    }

    #[test]
    fn batches_follow_their_conditions() {
        let (_data, mut s) = stream("exec-batch");
        let outcome = pipeline(
            &mut s,
            false,
            r#"{"requests":[{"type":"batch","batch":{"steps":[
              {"stmt":{"sql":"BEGIN"}},
              {"condition":{"type":"ok","step":0},"stmt":{"sql":"SELECT nope"}},
              {"condition":{"type":"ok","step":1},"stmt":{"sql":"COMMIT"}},
              {"condition":{"type":"not","cond":{"type":"ok","step":2}},"stmt":{"sql":"ROLLBACK"}},
              {"condition":{"type":"error","step":2},"stmt":{"sql":"SELECT 'skipped counts as error'"}},
              {"condition":{"type":"and","conds":[]},"stmt":{"sql":"SELECT 1"}},
              {"condition":{"type":"or","conds":[]},"stmt":{"sql":"SELECT 2"}},
              {"condition":{"type":"is_autocommit"},"stmt":{"sql":"SELECT 3"}}]}},
              {"type":"get_autocommit"}]}"#,
        )
        .unwrap();
        let value = answers(&outcome);
        let result = &value[0]["response"]["result"];
        let ran: Vec<bool> = result["step_results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| !r.is_null())
            .collect();
        assert_eq!(ran, [true, false, false, true, true, true, false, true]);
        assert!(!result["step_errors"][1].is_null());
        assert_eq!(value[1]["response"]["is_autocommit"], true);
    }

    #[test]
    fn protocol_mistakes_refuse_the_whole_request() {
        let (_data, mut s) = stream("exec-protocol");
        for (json, message) in [
            (
                r#"{"requests":[{"type":"execute","stmt":{}}]}"#,
                "Either `sql` or `sql_id` are required",
            ),
            (
                r#"{"requests":[{"type":"execute","stmt":{"sql_id":7}}]}"#,
                "SQL text 7 not found",
            ),
            (
                r#"{"requests":[{"type":"store_sql","sql_id":1,"sql":"x"},{"type":"store_sql","sql_id":1,"sql":"y"}]}"#,
                "SQL text 1 already exists",
            ),
            (
                r#"{"requests":[{"type":"batch","batch":{"steps":[{"condition":{"type":"ok","step":0},"stmt":{"sql":"SELECT 1"}}]}}]}"#,
                "Invalid reference",
            ),
            (
                r#"{"requests":[{"type":"close"},{"type":"execute","stmt":{"sql":"SELECT 1"}}]}"#,
                "Stream for this baton was closed",
            ),
        ] {
            match pipeline(&mut s, false, json) {
                Err(Refusal::Protocol(got)) => assert!(got.contains(message), "{got}"),
                other => panic!("{json}: {:?}", other.map(|o| answers(&o))),
            }
        }
    }

    #[test]
    fn read_only_transactions_refuse_writes_until_they_end() {
        let (_data, mut s) = stream("exec-readonly-txn");
        let outcome = pipeline(
            &mut s,
            false,
            r#"{"requests":[{"type":"execute","stmt":{"sql":"CREATE TABLE t (x)"}},
              {"type":"execute","stmt":{"sql":"BEGIN READONLY"}},
              {"type":"execute","stmt":{"sql":"INSERT INTO t VALUES (1)"}},
              {"type":"execute","stmt":{"sql":"COMMIT"}},
              {"type":"execute","stmt":{"sql":"INSERT INTO t VALUES (2)"}}]}"#,
        )
        .unwrap();
        let value = answers(&outcome);
        assert_eq!(value[1]["type"], "ok", "{value}");
        assert_eq!(value[2]["error"]["code"], "SQLITE_READONLY", "{value}");
        assert_eq!(value[4]["type"], "ok", "{value}");
    }
}
