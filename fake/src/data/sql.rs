//! Reading SQL text without running it: splitting it into statements (as SQLite's
//! `sqlite3_complete` does, so that a trigger's body stays whole) and telling what each
//! statement does, before anything runs: a read-only token is refused any request that
//! would write, and blocked reads or writes are told apart.
//!
//! The kinds follow sqld's (`query_analysis.rs`); the fake's reading of pragmas is its
//! own: introspection pragmas read, any pragma that sets a value writes. Whatever this
//! reading says, a read-only connection also runs with `PRAGMA query_only`, so that
//! SQLite itself refuses a write it missed.

/// What a statement does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Reads only: `SELECT`, `VALUES`, `WITH … SELECT`, `EXPLAIN …`, introspection pragmas.
    Read,
    /// Changes rows: `INSERT` (`insert`), `UPDATE`, `DELETE`, `REPLACE` (`iud` for all
    /// four), and what else writes (`REINDEX`, `ANALYZE`, `VACUUM`, pragmas that set).
    Write { insert: bool, iud: bool },
    /// Changes the schema: `CREATE`, `DROP`, `ALTER`.
    Ddl,
    /// `BEGIN …`; `read_only` for `BEGIN READONLY` and `BEGIN TRANSACTION READONLY`
    /// (libSQL's read transactions).
    Begin { read_only: bool },
    /// `COMMIT`, `END`, `ROLLBACK`.
    End,
    /// `SAVEPOINT name`.
    Savepoint,
    /// `RELEASE name`, `ROLLBACK TO name`.
    Release,
    /// `ATTACH …`.
    Attach,
    /// `DETACH …`.
    Detach,
}

impl Kind {
    /// Whether a read-only token may run it: an `ATTACH` too (as in sqld, which asks only
    /// for the attach permission: what is attached is read-only).
    pub(crate) fn reads_only(self) -> bool {
        matches!(
            self,
            Kind::Read
                | Kind::Begin { .. }
                | Kind::End
                | Kind::Savepoint
                | Kind::Release
                | Kind::Attach
                | Kind::Detach
        )
    }

    /// Whether the database's `block_reads` refuses it.
    pub(crate) fn blocked_by_reads(self) -> bool {
        matches!(
            self,
            Kind::Read | Kind::Begin { .. } | Kind::Write { .. } | Kind::Ddl
        )
    }

    /// Whether the database's `block_writes` refuses it.
    pub(crate) fn blocked_by_writes(self) -> bool {
        matches!(self, Kind::Write { .. } | Kind::Ddl)
    }
}

/// A token of SQL, as far as splitting and classifying need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// `;`
    Semi,
    /// Whitespace or a comment.
    Space,
    /// A bare word (keyword or identifier).
    Word(&'a str),
    /// A quoted string or identifier, a number, or punctuation other than `;`.
    Other(&'a str),
}

/// The tokens of `sql`, each with where it ends: as SQLite reads it, up to its first NUL
/// (SQLite stops there) and with a byte-order mark as a space (SQLite skips one at the
/// start of a statement; elsewhere it makes a syntax error).
fn tokens(sql: &str) -> Vec<(Token<'_>, usize)> {
    let bytes = sql.as_bytes();
    let bytes = &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())];
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let token = match b {
            b';' => {
                i += 1;
                Token::Semi
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                {
                    i += 1;
                }
                Token::Space
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                Token::Space
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                Token::Space
            }
            b'\'' | b'"' | b'`' | b'[' => {
                let close = if b == b'[' { b']' } else { b };
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => break,
                        Some(&c) if c == close => {
                            // A doubled quote is an escaped one (not for `[...]`).
                            if close != b']' && bytes.get(i + 1) == Some(&close) {
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
                Token::Other(&sql[start..i])
            }
            // A named parameter, as SQLite's tokenizer reads it: `$name`, `@name`, `:name`,
            // `#name`, with `::` inside and, after the name, a `(…)` that runs to the
            // next `)` or space (TCL's form) — quotes inside it quote nothing.
            b'$' | b'@' | b':' | b'#'
                if bytes.get(i + 1).is_some_and(|&c| {
                    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
                }) =>
            {
                i += 1;
                let mut named = 0;
                while let Some(&c) = bytes.get(i) {
                    if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 {
                        named += 1;
                        i += 1;
                    } else if c == b'(' && named > 0 {
                        while bytes
                            .get(i)
                            .is_some_and(|&c| !c.is_ascii_whitespace() && c != b')')
                        {
                            i += 1;
                        }
                        if bytes.get(i) == Some(&b')') {
                            i += 1;
                        }
                        break;
                    } else if c == b':' && bytes.get(i + 1) == Some(&b':') {
                        i += 2;
                    } else {
                        break;
                    }
                }
                Token::Other(&sql[start..i])
            }
            0xEF if bytes.get(i + 1..i + 3) == Some(&[0xBB, 0xBF][..]) => {
                i += 3;
                Token::Space
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                    && bytes.get(i..i + 3) != Some(&[0xEF, 0xBB, 0xBF][..])
                {
                    i += 1;
                }
                Token::Word(&sql[start..i])
            }
            _ => {
                // One character (a whole UTF-8 sequence) of punctuation, or a number.
                i += 1;
                while i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
                    i += 1;
                }
                Token::Other(&sql[start..i])
            }
        };
        out.push((token, i));
    }
    out
}

/// The statements of `sql`, each without its `;`, empty ones (only spaces and comments)
/// left out. A `;` ends a statement as `sqlite3_complete` says: not inside a string, a
/// comment or a trigger's `BEGIN … END`.
pub(crate) fn statements(sql: &str) -> Vec<&str> {
    // sqlite3_complete's states and tokens.
    const START: u8 = 1;
    #[rustfmt::skip]
    const TRANS: [[u8; 8]; 8] = [
        //  SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END
        [1, 0, 2, 3, 4, 2, 2, 2], // 0 INVALID
        [1, 1, 2, 3, 4, 2, 2, 2], // 1 START
        [1, 2, 2, 2, 2, 2, 2, 2], // 2 NORMAL
        [1, 3, 3, 2, 4, 2, 2, 2], // 3 EXPLAIN
        [1, 4, 2, 2, 2, 4, 5, 2], // 4 CREATE
        [6, 5, 5, 5, 5, 5, 5, 5], // 5 TRIGGER
        [6, 6, 5, 5, 5, 5, 5, 7], // 6 SEMI
        [1, 7, 5, 5, 5, 5, 5, 5], // 7 END
    ];
    let mut state = 0u8;
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_end = 0;
    for (token, end) in tokens(sql) {
        let class = match token {
            Token::Semi => 0,
            Token::Space => 1,
            Token::Other(_) => 2,
            Token::Word(word) => match word.to_ascii_lowercase().as_str() {
                "explain" => 3,
                "create" => 4,
                "temp" | "temporary" => 5,
                "trigger" => 6,
                "end" => 7,
                _ => 2,
            },
        };
        state = TRANS[usize::from(state)][class];
        if token == Token::Semi && state == START {
            push_statement(&mut out, &sql[start..prev_end]);
            start = end;
        }
        prev_end = end;
    }
    push_statement(&mut out, &sql[start..]);
    out
}

fn push_statement<'a>(out: &mut Vec<&'a str>, text: &'a str) {
    let significant = tokens(text)
        .iter()
        .any(|(token, _)| !matches!(token, Token::Space | Token::Semi));
    if significant {
        out.push(text.trim());
    }
}

/// The words and punctuation of a statement, keywords in capitals.
fn significant(sql: &str) -> Vec<String> {
    tokens(sql)
        .into_iter()
        .filter_map(|(token, _)| match token {
            Token::Word(word) => Some(word.to_ascii_uppercase()),
            Token::Other(other) => Some(other.to_owned()),
            Token::Semi | Token::Space => None,
        })
        .collect()
}

/// Pragmas that only read, with or without an argument.
const READING_PRAGMAS: &[&str] = &[
    "TABLE_LIST",
    "INDEX_LIST",
    "TABLE_INFO",
    "TABLE_XINFO",
    "INDEX_INFO",
    "INDEX_XINFO",
    "PRAGMA_LIST",
    "COMPILE_OPTIONS",
    "DATABASE_LIST",
    "FUNCTION_LIST",
    "MODULE_LIST",
    "COLLATION_LIST",
    "FOREIGN_KEY_LIST",
    "FOREIGN_KEY_CHECK",
    "INTEGRITY_CHECK",
    "QUICK_CHECK",
    "PAGE_COUNT",
    "FREELIST_COUNT",
    "DATA_VERSION",
    "ENCODING",
];

/// Pragmas that read when they are given no value (and set one when they are).
const SETTING_PRAGMAS: &[&str] = &[
    "ANALYSIS_LIMIT",
    "APPLICATION_ID",
    "CELL_SIZE_CHECK",
    "CHECKPOINT_FULLFSYNC",
    "COUNT_CHANGES",
    "EMPTY_RESULT_CALLBACKS",
    "FULLFSYNC",
    "FULL_COLUMN_NAMES",
    "IGNORE_CHECK_CONSTRAINTS",
    "LEGACY_FILE_FORMAT",
    "SHORT_COLUMN_NAMES",
    "THREADS",
    "TRUSTED_SCHEMA",
    "WRITABLE_SCHEMA",
    "AUTO_VACUUM",
    "AUTOMATIC_INDEX",
    "BUSY_TIMEOUT",
    "CACHE_SIZE",
    "CACHE_SPILL",
    "DEFER_FOREIGN_KEYS",
    "FOREIGN_KEYS",
    "JOURNAL_MODE",
    "JOURNAL_SIZE_LIMIT",
    "LEGACY_ALTER_TABLE",
    "LOCKING_MODE",
    "MAX_PAGE_COUNT",
    "MMAP_SIZE",
    "PAGE_SIZE",
    "QUERY_ONLY",
    "READ_UNCOMMITTED",
    "RECURSIVE_TRIGGERS",
    "REVERSE_UNORDERED_SELECTS",
    "SCHEMA_VERSION",
    "SECURE_DELETE",
    "SYNCHRONOUS",
    "TEMP_STORE",
    "USER_VERSION",
    "WAL_AUTOCHECKPOINT",
];

/// What a statement text is, read once: how many statements it holds, what the first
/// does, and whether it changes the connection's own state (a pragma that sets, an
/// attachment, a temporary object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Analysis {
    pub(crate) statements: usize,
    pub(crate) kind: Kind,
    /// `BEGIN READONLY`, which stock SQLite does not parse.
    pub(crate) begin_readonly: bool,
    pub(crate) session: bool,
}

/// Reads `sql` (see [`Analysis`]).
pub(crate) fn analyze(sql: &str) -> Analysis {
    let statements = statements(sql);
    let first = statements.first().copied().unwrap_or_default();
    let words = significant(first);
    let kind = kind_of(&words);
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
    let session = match kind {
        Kind::Attach | Kind::Detach => true,
        // `EXPLAIN PRAGMA x = y` sets a flag as well: SQLite applies flag pragmas as it
        // prepares them.
        Kind::Write { .. } => explained(&words).first().is_some_and(|w| w == "PRAGMA"),
        // `CREATE TEMP …`, or a `temp.` name: `CREATE TRIGGER temp.t …`.
        Kind::Ddl => words.iter().any(|w| w == "TEMP" || w == "TEMPORARY"),
        _ => false,
    };
    Analysis {
        statements: statements.len(),
        kind,
        begin_readonly: word(0) == "BEGIN" && word(1) == "READONLY",
        session,
    }
}

/// What the statement `sql` does. Anything it cannot tell is a write.
pub(crate) fn classify(sql: &str) -> Kind {
    kind_of(&significant(sql))
}

/// What the statement of these words does.
fn kind_of(words: &[String]) -> Kind {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
    match word(0) {
        // What an `EXPLAIN` shows is not run, but for a pragma's flag, which SQLite sets
        // as it prepares the pragma: that one is the pragma's kind.
        "EXPLAIN" => match explained(words) {
            inner if inner.first().is_some_and(|w| w == "PRAGMA") => pragma_kind(inner),
            _ => Kind::Read,
        },
        "SELECT" | "VALUES" => Kind::Read,
        "WITH" => with_kind(words),
        "INSERT" | "REPLACE" => Kind::Write {
            insert: true,
            iud: true,
        },
        "UPDATE" | "DELETE" => Kind::Write {
            insert: false,
            iud: true,
        },
        "CREATE" | "DROP" | "ALTER" => Kind::Ddl,
        "BEGIN" => Kind::Begin {
            read_only: words[1..].iter().take(2).any(|word| word == "READONLY"),
        },
        "COMMIT" | "END" => Kind::End,
        "ROLLBACK" => {
            if words.iter().any(|word| word == "TO") {
                Kind::Release
            } else {
                Kind::End
            }
        }
        "SAVEPOINT" => Kind::Savepoint,
        "RELEASE" => Kind::Release,
        "ATTACH" => Kind::Attach,
        "DETACH" => Kind::Detach,
        "PRAGMA" => pragma_kind(words),
        _ => Kind::Write {
            insert: false,
            iud: false,
        },
    }
}

/// The statement an `EXPLAIN [QUERY PLAN]` shows (the words themselves otherwise).
fn explained(words: &[String]) -> &[String] {
    match words {
        [explain, query, plan, rest @ ..]
            if explain == "EXPLAIN" && query == "QUERY" && plan == "PLAN" =>
        {
            rest
        }
        [explain, rest @ ..] if explain == "EXPLAIN" => rest,
        _ => words,
    }
}

/// The kind of a `WITH …` statement: its main statement's, after the common table
/// expressions.
fn with_kind(words: &[String]) -> Kind {
    let mut depth = 0usize;
    let mut i = 1;
    if words.get(i).map(String::as_str) == Some("RECURSIVE") {
        i += 1;
    }
    // Past each `name [(columns)] AS [[NOT] MATERIALIZED] (select)`, separated by commas:
    // the body is the parenthesized group after `AS`.
    let mut after_as = false;
    let mut seen_body = false;
    while let Some(word) = words.get(i) {
        match word.as_str() {
            "(" => depth += 1,
            ")" => {
                depth = depth.saturating_sub(1);
                if depth == 0 && after_as {
                    seen_body = true;
                    after_as = false;
                }
            }
            "AS" if depth == 0 => after_as = true,
            "," if depth == 0 => seen_body = false,
            other if depth == 0 && seen_body => {
                return match other {
                    "SELECT" | "VALUES" => Kind::Read,
                    "INSERT" | "REPLACE" => Kind::Write {
                        insert: true,
                        iud: true,
                    },
                    "UPDATE" | "DELETE" => Kind::Write {
                        insert: false,
                        iud: true,
                    },
                    _ => Kind::Write {
                        insert: false,
                        iud: false,
                    },
                };
            }
            _ => {}
        }
        i += 1;
    }
    Kind::Write {
        insert: false,
        iud: false,
    }
}

/// The kind of a `PRAGMA [schema.]name [= value | (value)]`.
fn pragma_kind(words: &[String]) -> Kind {
    let name = pragma_name(words).unwrap_or_default();
    let valued = words.len() > pragma_name_index(words) + 1;
    if pragma_sets(name, valued) {
        Kind::Write {
            insert: false,
            iud: false,
        }
    } else {
        Kind::Read
    }
}

/// Where the pragma's name is among a `PRAGMA [schema.]name …` statement's words.
fn pragma_name_index(words: &[String]) -> usize {
    if words.get(2).map(String::as_str) == Some(".") {
        3
    } else {
        1
    }
}

/// The name of the pragma a `[EXPLAIN [QUERY PLAN]] PRAGMA [schema.]name …` statement
/// runs, in capitals.
fn pragma_name(words: &[String]) -> Option<&str> {
    let words = explained(words);
    (words.first()? == "PRAGMA")
        .then(|| words.get(pragma_name_index(words)).map(String::as_str))
        .flatten()
}

/// The pragma of the statement `sql` if it sets one (what the data plane grants it, see
/// the sandbox), in capitals.
pub(crate) fn setting_pragma(sql: &str) -> Option<String> {
    let words = significant(sql);
    let inner = explained(&words);
    let name = pragma_name(&words)?;
    pragma_sets(name, inner.len() > pragma_name_index(inner) + 1).then(|| name.to_owned())
}

/// Whether the pragma `name`, given a value or an argument (`valued`), sets something:
/// everything but the reading pragmas (with or without an argument: `table_info(t)`)
/// and the setting ones asked without a value. `encoding` reads, and sets with a value.
/// The one rule for the classifier and the sandbox.
pub(crate) fn pragma_sets(name: &str, valued: bool) -> bool {
    let name = name.to_ascii_uppercase();
    let reading = READING_PRAGMAS.contains(&name.as_str()) && !(valued && name == "ENCODING");
    !(reading || (!valued && SETTING_PRAGMAS.contains(&name.as_str())))
}

/// The name an `ATTACH [DATABASE] <name> AS <alias>` attaches, and the alias: sqld's form,
/// whose name is another database of the organization (a bare or quoted identifier, or a
/// string). `None` for any other form.
pub(crate) fn attach_target(sql: &str) -> Option<(String, String)> {
    let words: Vec<(Token<'_>, usize)> = tokens(sql)
        .into_iter()
        .filter(|(token, _)| !matches!(token, Token::Space))
        .collect();
    let text = |token: &Token<'_>| match token {
        Token::Word(word) => Some(word.to_string()),
        Token::Other(other) => unquote(other),
        Token::Semi | Token::Space => None,
    };
    let mut i = 0;
    let is_word = |token: &Token<'_>, expected: &str| matches!(token, Token::Word(word) if word.eq_ignore_ascii_case(expected));
    if !is_word(&words.first()?.0, "ATTACH") {
        return None;
    }
    i += 1;
    if is_word(&words.get(i)?.0, "DATABASE") {
        i += 1;
    }
    let name = text(&words.get(i)?.0)?;
    if !is_word(&words.get(i + 1)?.0, "AS") {
        return None;
    }
    let alias = text(&words.get(i + 2)?.0)?;
    let rest = &words[i + 3..];
    if rest.iter().all(|(token, _)| *token == Token::Semi) {
        Some((name, alias))
    } else {
        None
    }
}

/// The text of a quoted string or identifier.
fn unquote(token: &str) -> Option<String> {
    let first = token.chars().next()?;
    let close = match first {
        '\'' | '"' | '`' => first,
        '[' => ']',
        _ => return None,
    };
    let inner = token.strip_prefix(first)?.strip_suffix(close)?;
    Some(if close == ']' {
        inner.to_owned()
    } else {
        inner.replace(&format!("{close}{close}"), &close.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_as_sqlite_completes_them() {
        assert_eq!(statements("SELECT 1; SELECT 2;"), ["SELECT 1", "SELECT 2"]);
        assert_eq!(statements("SELECT ';'; -- a; comment\n"), ["SELECT ';'"]);
        assert_eq!(statements("  ;; /* only */ ; "), Vec::<&str>::new());
        assert_eq!(
            statements(
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); \
                 UPDATE c SET x = 1; END; SELECT 1"
            ),
            [
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); \
                 UPDATE c SET x = 1; END",
                "SELECT 1"
            ]
        );
        assert_eq!(
            statements("SELECT \"a;b\", [c;d], `e;f`"),
            ["SELECT \"a;b\", [c;d], `e;f`"]
        );
        assert_eq!(statements("SELECT 'it''s; fine'"), ["SELECT 'it''s; fine'"]);
        assert_eq!(
            statements("SELECT 1 /* unterminated"),
            ["SELECT 1 /* unterminated"]
        );
    }

    #[test]
    fn statements_are_told_apart_before_they_run() {
        let write = Kind::Write {
            insert: false,
            iud: false,
        };
        for (sql, kind) in [
            ("select * from t", Kind::Read),
            ("  -- hi\n VALUES (1)", Kind::Read),
            ("EXPLAIN DELETE FROM t", Kind::Read),
            ("WITH x AS (SELECT 1) SELECT * FROM x", Kind::Read),
            (
                "WITH RECURSIVE x(n) AS (SELECT 1 UNION SELECT n+1 FROM x) DELETE FROM t",
                Kind::Write {
                    insert: false,
                    iud: true,
                },
            ),
            (
                "WITH a AS (SELECT 1), b AS MATERIALIZED (SELECT 2) INSERT INTO t SELECT * FROM a",
                Kind::Write {
                    insert: true,
                    iud: true,
                },
            ),
            (
                "insert into t values (1)",
                Kind::Write {
                    insert: true,
                    iud: true,
                },
            ),
            (
                "REPLACE INTO t VALUES (1)",
                Kind::Write {
                    insert: true,
                    iud: true,
                },
            ),
            (
                "UPDATE t SET x = 1",
                Kind::Write {
                    insert: false,
                    iud: true,
                },
            ),
            ("CREATE TABLE t (x)", Kind::Ddl),
            ("drop table t", Kind::Ddl),
            ("BEGIN IMMEDIATE", Kind::Begin { read_only: false }),
            (
                "BEGIN TRANSACTION READONLY",
                Kind::Begin { read_only: true },
            ),
            ("BEGIN READONLY", Kind::Begin { read_only: true }),
            ("COMMIT", Kind::End),
            ("END TRANSACTION", Kind::End),
            ("ROLLBACK", Kind::End),
            ("ROLLBACK TO sp", Kind::Release),
            ("SAVEPOINT sp", Kind::Savepoint),
            ("ATTACH 'x' AS y", Kind::Attach),
            ("PRAGMA table_info(t)", Kind::Read),
            ("PRAGMA main.user_version", Kind::Read),
            ("PRAGMA user_version = 3", write),
            ("PRAGMA query_only(0)", write),
            ("PRAGMA query_only = OFF", write),
            ("PRAGMA writable_schema = 1", write),
            ("PRAGMA writable_schema", Kind::Read),
            ("VACUUM", write),
            ("", write),
        ] {
            assert_eq!(classify(sql), kind, "{sql}");
        }
        assert!(analyze("begin readonly").begin_readonly);
        assert!(!analyze("BEGIN TRANSACTION READONLY").begin_readonly);
        let attach = analyze("ATTACH x AS y");
        assert!(attach.session);
        assert!(analyze("CREATE TEMP TABLE t (x)").session);
        assert!(analyze("PRAGMA foreign_keys = ON").session);
        assert!(!analyze("SELECT 1").session);
        assert_eq!(analyze("SELECT 1; SELECT 2").statements, 2);
        assert_eq!(analyze(" -- nothing ").statements, 0);
    }

    #[test]
    fn sql_is_read_as_sqlite_reads_it() {
        // A byte-order mark is a space; SQLite reads nothing past a NUL.
        assert_eq!(classify("\u{feff}ATTACH 'x' AS y"), Kind::Attach);
        assert_eq!(classify("\u{feff}\u{feff}  SELECT 1"), Kind::Read);
        assert_eq!(analyze("\u{feff}").statements, 0);
        assert_eq!(analyze("\u{0}SELECT 1").statements, 0);
        assert_eq!(analyze("SELECT 1\u{0}; ATTACH 'x' AS y").statements, 1);
        // An EXPLAIN runs nothing, but for a pragma's flag.
        assert_eq!(classify("EXPLAIN INSERT INTO t VALUES (1)"), Kind::Read);
        assert_eq!(classify("EXPLAIN QUERY PLAN SELECT 1"), Kind::Read);
        let explained = analyze("EXPLAIN PRAGMA writable_schema = 1");
        assert!(!explained.kind.reads_only() && explained.session);
        assert!(analyze("EXPLAIN QUERY PLAN PRAGMA foreign_keys = 0").session);
        assert_eq!(classify("EXPLAIN PRAGMA table_info(t)"), Kind::Read);
        // A TCL-style parameter's `(…)` quotes nothing: a `'` inside it starts no string.
        let hidden = "SELECT $a(') ; PRAGMA writable_schema = 1; SELECT '";
        assert_eq!(analyze(hidden).statements, 3);
        assert_eq!(analyze("SELECT :a::b, @c, #d, $e(x y)").statements, 1);
        // SQLite reads `$$(')` as one parameter: this is a DELETE.
        assert!(
            !classify("WITH a AS (SELECT $$(')) DELETE FROM t WHERE x <> ')) SELECT '")
                .reads_only()
        );
        assert_eq!(
            analyze("SELECT $$(') ; DELETE FROM t; SELECT '").statements,
            3
        );
        assert_eq!(
            setting_pragma("PRAGMA main.foreign_keys = 0").as_deref(),
            Some("FOREIGN_KEYS")
        );
        assert_eq!(
            setting_pragma("EXPLAIN PRAGMA encoding = 'UTF-16le'").as_deref(),
            Some("ENCODING")
        );
        assert_eq!(setting_pragma("PRAGMA encoding"), None);
        assert_eq!(setting_pragma("PRAGMA table_info(t)"), None);
    }

    #[test]
    fn only_sqld_s_attach_form_is_read() {
        assert_eq!(
            attach_target("ATTACH other AS o"),
            Some(("other".to_owned(), "o".to_owned()))
        );
        assert_eq!(
            attach_target("attach database \"my-db\" as [m];"),
            Some(("my-db".to_owned(), "m".to_owned()))
        );
        assert_eq!(
            attach_target("ATTACH 'it''s' AS x"),
            Some(("it's".to_owned(), "x".to_owned()))
        );
        assert_eq!(attach_target("ATTACH 'a' || 'b' AS x"), None);
        assert_eq!(attach_target("ATTACH x AS y KEY 'k'"), None);
        assert_eq!(attach_target("SELECT 1"), None);
    }
}
