//! Options for the database operations: a database to create, a filter for lists, a
//! period for usage.

use std::time::SystemTime;

use secrecy::SecretString;

use crate::Error;
use crate::client::names::{non_blank, turso_name};
use crate::codecs::timestamp;
use crate::generated::types::{self, EncryptionCipher, SeedKind};

/// A database to create, for [`Client::create_database`]: its name and group, and
/// optionally what it starts with, a size limit and an encryption key of your own.
///
/// The name is checked before anything is sent: lowercase letters, digits and dashes, at
/// most 64 characters, as Turso requires.
///
/// ```
/// use turso_platform::{EncryptionCipher, NewDatabase};
/// use turso_platform::secrecy::SecretString;
///
/// let plain = NewDatabase::new("tenant-42", "default");
/// let from_template = NewDatabase::new("tenant-43", "default")
///     .copy_of("template")
///     .size_limit("256mb");
/// let key = SecretString::from("c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1mb3ItYWVnaXM=");
/// let encrypted = NewDatabase::new("vault", "default").encryption(EncryptionCipher::Aegis256, key);
/// ```
///
/// [`Client::create_database`]: crate::Client::create_database
#[derive(Clone, Debug)]
pub struct NewDatabase {
    name: String,
    group: String,
    seed: Option<Seed>,
    size_limit: Option<String>,
    encryption: Option<(EncryptionCipher, SecretString)>,
}

impl NewDatabase {
    /// A database named `name` in the group `group` (which must exist), starting empty.
    ///
    /// ```
    /// let database = turso_platform::NewDatabase::new("tenant-42", "default");
    /// assert_eq!(database.name(), "tenant-42");
    /// ```
    pub fn new(name: impl Into<String>, group: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            group: group.into(),
            seed: None,
            size_limit: None,
            encryption: None,
        }
    }

    /// The database's name.
    ///
    /// ```
    /// assert_eq!(turso_platform::NewDatabase::new("a", "default").name(), "a");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The group it is created in.
    ///
    /// ```
    /// assert_eq!(turso_platform::NewDatabase::new("a", "eu").group_name(), "eu");
    /// ```
    pub fn group_name(&self) -> &str {
        &self.group
    }

    /// Starts as a copy of the database `database` of the same organization, as it is
    /// now.
    ///
    /// ```
    /// let database = turso_platform::NewDatabase::new("tenant-43", "default").copy_of("template");
    /// ```
    pub fn copy_of(mut self, database: impl Into<String>) -> Self {
        self.seed = Some(Seed::Copy {
            database: database.into(),
            at: None,
        });
        self
    }

    /// Starts as a copy of the database `database` as it was at `at` (within the plan's
    /// restore window, from a day to a month).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    ///
    /// let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    /// let restored = turso_platform::NewDatabase::new("orders-restored", "default")
    ///     .copy_of_at("orders", an_hour_ago);
    /// ```
    pub fn copy_of_at(mut self, database: impl Into<String>, at: SystemTime) -> Self {
        self.seed = Some(Seed::Copy {
            database: database.into(),
            at: Some(at),
        });
        self
    }

    /// Starts empty, waiting for a SQLite file to be uploaded (Turso's upload endpoint,
    /// which this crate does not cover).
    ///
    /// ```
    /// let database = turso_platform::NewDatabase::new("imported", "default").for_upload();
    /// ```
    pub fn for_upload(mut self) -> Self {
        self.seed = Some(Seed::Upload);
        self
    }

    /// Starts with the SQL dump at `url` loaded (Turso's CLI uploads a local dump first
    /// and passes the URL it gets back).
    ///
    /// ```
    /// let database = turso_platform::NewDatabase::new("imported", "default")
    ///     .from_dump("https://example.com/dumps/template.sql");
    /// ```
    pub fn from_dump(mut self, url: impl Into<String>) -> Self {
        self.seed = Some(Seed::Dump(url.into()));
        self
    }

    /// The largest size the database may grow to, in bytes or with a unit (`"256mb"`,
    /// `"1gb"`).
    ///
    /// ```
    /// let database = turso_platform::NewDatabase::new("tenant-42", "default").size_limit("1gb");
    /// ```
    pub fn size_limit(mut self, limit: impl Into<String>) -> Self {
        self.size_limit = Some(limit.into());
        self
    }

    /// Encrypts the database at rest with your own key: base64, 32 bytes for the 256-bit
    /// ciphers and chacha20poly1305, 16 for aes128gcm and the aegis128 ones. The key is a
    /// secret: it is sent in the body and never shown in `Debug` or errors.
    ///
    /// ```
    /// use turso_platform::{EncryptionCipher, NewDatabase};
    ///
    /// let database = NewDatabase::new("vault", "default")
    ///     .encryption(EncryptionCipher::Aes256gcm, "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1mb3ItYWVnaXM=");
    /// ```
    pub fn encryption(mut self, cipher: EncryptionCipher, key: impl Into<SecretString>) -> Self {
        self.encryption = Some((cipher, key.into()));
        self
    }

    /// The request body, validated.
    pub(crate) fn to_body(&self) -> Result<types::CreateDatabaseInput, Error> {
        turso_name("database name", &self.name)?;
        non_blank("group", &self.group)?;
        if let Some(Seed::Copy { database, .. }) = &self.seed {
            non_blank("name of the database to copy", database)?;
        }
        if let Some(limit) = &self.size_limit {
            non_blank("size limit", limit)?;
        }
        let seed = self.seed.as_ref().map(Seed::to_body).transpose()?;
        Ok(types::CreateDatabaseInput {
            name: self.name.clone(),
            group: self.group.clone(),
            seed,
            size_limit: self.size_limit.clone(),
            remote_encryption: self.encryption.as_ref().map(|(cipher, key)| {
                types::RemoteEncryption {
                    encryption_cipher: *cipher,
                    encryption_key: key.clone().into(),
                }
            }),
        })
    }
}

/// What a new database starts as, if not empty.
#[derive(Clone, Debug)]
enum Seed {
    /// A copy of a database of the organization: as it is now, or as it was at `at`.
    Copy {
        database: String,
        at: Option<SystemTime>,
    },
    /// Empty, waiting for an upload.
    Upload,
    /// The SQL dump at this URL.
    Dump(String),
}

impl Seed {
    fn to_body(&self) -> Result<types::DatabaseSeed, Error> {
        Ok(match self {
            Seed::Copy { database, at } => types::DatabaseSeed {
                type_: SeedKind::Database,
                name: Some(database.clone()),
                timestamp: match *at {
                    Some(at) if at < SystemTime::UNIX_EPOCH => {
                        return Err(Error::InvalidArgument(
                            "a database cannot be copied as it was before 1970".to_owned(),
                        ));
                    }
                    at => at.map(timestamp::format),
                },
                url: None,
            },
            Seed::Upload => types::DatabaseSeed {
                type_: SeedKind::DatabaseUpload,
                name: None,
                timestamp: None,
                url: None,
            },
            Seed::Dump(url) => types::DatabaseSeed {
                type_: SeedKind::Dump,
                name: None,
                timestamp: None,
                url: Some(non_blank("dump URL", url)?.to_owned()),
            },
        })
    }
}

/// Which databases [`Client::list_databases`] lists: all of the organization's, unless
/// you say otherwise.
///
/// ```
/// use turso_platform::ListDatabasesOptions;
///
/// let all = ListDatabasesOptions::new();
/// let in_eu = ListDatabasesOptions::new().group("eu");
/// ```
///
/// [`Client::list_databases`]: crate::Client::list_databases
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListDatabasesOptions {
    group: Option<String>,
    parent: Option<String>,
}

impl ListDatabasesOptions {
    /// Every database of the organization.
    ///
    /// ```
    /// assert_eq!(turso_platform::ListDatabasesOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the databases of the group `group`.
    ///
    /// ```
    /// let options = turso_platform::ListDatabasesOptions::new().group("default");
    /// ```
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Only the branches of the database whose ID is `database_id`.
    ///
    /// ```
    /// let options = turso_platform::ListDatabasesOptions::new()
    ///     .branches_of("0eb771dd-6906-11ee-8553-eaa7715aeaf2");
    /// ```
    pub fn branches_of(mut self, database_id: impl Into<String>) -> Self {
        self.parent = Some(database_id.into());
        self
    }

    /// The group and parent filters, validated.
    pub(crate) fn to_query(&self) -> Result<(Option<&str>, Option<&str>), Error> {
        if let Some(group) = &self.group {
            non_blank("group", group)?;
        }
        if let Some(parent) = &self.parent {
            non_blank("parent database ID", parent)?;
        }
        Ok((self.group.as_deref(), self.parent.as_deref()))
    }
}

/// The period [`Client::get_database_usage`] reports: the current calendar month unless
/// you say otherwise.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use turso_platform::UsageOptions;
///
/// let last_day = UsageOptions::new()
///     .from(SystemTime::now() - Duration::from_secs(86_400))
///     .to(SystemTime::now());
/// ```
///
/// [`Client::get_database_usage`]: crate::Client::get_database_usage
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsageOptions {
    from: Option<SystemTime>,
    to: Option<SystemTime>,
}

impl UsageOptions {
    /// The current calendar month.
    ///
    /// ```
    /// assert_eq!(turso_platform::UsageOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The start of the period (sent to the second; a time before 1970, when there was no
    /// usage to count, is sent as 1970-01-01T00:00:00Z).
    ///
    /// ```
    /// let options = turso_platform::UsageOptions::new().from(std::time::SystemTime::UNIX_EPOCH);
    /// ```
    pub fn from(mut self, start: SystemTime) -> Self {
        self.from = Some(start);
        self
    }

    /// The end of the period (sent to the second; before 1970 as for
    /// [`from`](UsageOptions::from)).
    ///
    /// ```
    /// let options = turso_platform::UsageOptions::new().to(std::time::SystemTime::now());
    /// ```
    pub fn to(mut self, end: SystemTime) -> Self {
        self.to = Some(end);
        self
    }

    /// The `from` and `to` query values, validated.
    pub(crate) fn to_query(self) -> Result<(Option<String>, Option<String>), Error> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to < from
        {
            return Err(Error::InvalidArgument(
                "the usage period ends before it starts: `to` must not be before `from`".to_owned(),
            ));
        }
        Ok((
            self.from.map(timestamp::format),
            self.to.map(timestamp::format),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn new_databases_are_checked_and_sent_as_asked() {
        let body = NewDatabase::new("tenant-42", "default").to_body().unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"group":"default","name":"tenant-42"}"#
        );
        for bad in ["", "Tenant", "a_b", "a b", "..", &"a".repeat(65)] {
            let result = NewDatabase::new(bad, "default").to_body();
            assert!(matches!(result, Err(Error::InvalidArgument(_))), "{bad:?}");
        }
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_779_357_600);
        let body = NewDatabase::new("copy", "g")
            .copy_of_at("orig", at)
            .size_limit("1gb")
            .encryption(EncryptionCipher::Aegis256, "a2V5")
            .to_body()
            .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "name": "copy", "group": "g", "size_limit": "1gb",
                "seed": {"type": "database", "name": "orig", "timestamp": "2026-05-21T10:00:00Z"},
                "remote_encryption": {"encryption_cipher": "aegis256", "encryption_key": "a2V5"}
            })
        );
        let shown = format!(
            "{:?}",
            NewDatabase::new("x", "g").encryption(EncryptionCipher::Aegis256, "a2V5")
        );
        assert!(!shown.contains("a2V5"), "{shown}");
    }

    #[test]
    fn usage_periods_must_run_forward() {
        let now = SystemTime::now();
        assert!(
            UsageOptions::new()
                .from(now)
                .to(now - Duration::from_secs(1))
                .to_query()
                .is_err()
        );
        let (from, to) = UsageOptions::new().to_query().unwrap();
        assert_eq!((from, to), (None, None));
    }
}
