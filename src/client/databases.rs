//! The operations on databases: list, create, read, delete, configure, and their
//! instances, usage and top queries.

use std::time::Duration;

use crate::generated::types::{
    CreatedDatabase, Database, DatabaseConfiguration, DatabaseConfigurationInput, DatabaseStats,
    DatabaseUsage, Instance,
};
use crate::transport::path::segment;
use crate::{Client, Ensured, Error, ListDatabasesOptions, NewDatabase, StatusCode, UsageOptions};

impl Client {
    /// Lists the databases of the organization `org` (`listDatabases`), all of them or
    /// those `options` filters.
    ///
    /// ```no_run
    /// use turso_platform::ListDatabasesOptions;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for database in client.list_databases("my-org", &ListDatabasesOptions::new()).await? {
    ///     println!("{} on {}", database.name, database.hostname);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_databases(
        &self,
        org: &str,
        options: &ListDatabasesOptions,
    ) -> Result<Vec<Database>, Error> {
        let org = segment("organization", org)?;
        let (group, parent) = options.to_query()?;
        // Every database, on one page (no `limit`).
        let answer = call!(self.list_databases(org, None, group, None, parent, None)).await?;
        Ok(answer.databases)
    }

    /// Creates a database in the organization `org` (`createDatabase`) and returns its
    /// name, ID and host name.
    ///
    /// A name that is taken is an error for which [`Error::is_name_taken`] holds (Turso
    /// answers 400 today; its spec says 409 and its CLI reads 422: any of them is the same
    /// error here). [`ensure_database`](Client::ensure_database) creates it or finds it.
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, and no usable answer came back, the error is [`Error::MayExist`]: read the
    /// database before creating it again.
    ///
    /// ```no_run
    /// use turso_platform::NewDatabase;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let created = client
    ///     .create_database("my-org", &NewDatabase::new("tenant-42", "default"))
    ///     .await?;
    /// println!("libsql://{}", created.hostname);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_database(
        &self,
        org: &str,
        database: &NewDatabase,
    ) -> Result<CreatedDatabase, Error> {
        let org = segment("organization", org)?;
        let body = database.to_body()?;
        // No error quotes the encryption key, whatever the answer quotes of the request.
        let key = body
            .remote_encryption
            .as_ref()
            .map(|encryption| encryption.encryption_key.expose());
        let answer = call!(self.create_database(org, &body), carrying key.as_slice())
            .await
            .map_err(|e| e.or_may_exist("database", body.name))?;
        Ok(answer.database)
    }

    /// Creates the database as [`create_database`](Client::create_database) does, or finds
    /// it there as asked, and says which ([`Ensured`]): safe to call again after any
    /// failure, and from several workers at once.
    ///
    /// It closes the race every provisioning service has: a create whose answer was lost
    /// ([`Error::MayExist`]) or a name taken by another worker provisioning the same
    /// tenant is read back ([`get_database`](Client::get_database)); if that database is
    /// in the group asked for, it is [`Ensured::Found`]. One in another group is
    /// [`Error::TakenByAnother`], never silently reused. A lost create that turns out not
    /// to have happened is sent again (at most twice more). What a seed, a size limit or
    /// an encryption key would have made is not compared: only the name and group are.
    ///
    /// ```no_run
    /// use turso_platform::NewDatabase;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let tenant = client
    ///     .ensure_database("my-org", &NewDatabase::new("tenant-42", "default"))
    ///     .await?;
    /// if tenant.was_created() {
    ///     println!("new tenant at {}", tenant.get().hostname);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn ensure_database(
        &self,
        org: &str,
        database: &NewDatabase,
    ) -> Result<Ensured<CreatedDatabase>, Error> {
        crate::ensured::ensure(
            || self.create_database(org, database),
            || async {
                let found = self.get_database(org, database.name()).await?;
                let group = found.group.as_deref().unwrap_or_default();
                if group != database.group_name() {
                    return Err(Error::TakenByAnother {
                        kind: "database",
                        name: found.name,
                        difference: format!(
                            "in group {group:?}, not {:?} as asked",
                            database.group_name()
                        ),
                    });
                }
                Ok(CreatedDatabase::default()
                    .with_db_id(found.db_id)
                    .with_hostname(found.hostname)
                    .with_name(found.name))
            },
        )
        .await
    }

    /// Waits until the database served at `hostname` (a [`Database`]'s or
    /// [`CreatedDatabase`]'s `hostname`) serves SQL, for at most `timeout`: a new database
    /// can answer 404 on its URL for seconds after the API reports it (2.5 s is common,
    /// more than 15 s has been seen). It asks the URL with `token` (a token of that
    /// database or its group; it goes to that host only) and backs off (100 ms doubling
    /// to 2 s); 404, a connection that fails and 5xx mean "not yet". A token the database
    /// refuses (401, 403) fails at once with [`Error::Api`]; at the deadline, the error is
    /// [`Error::NotReady`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use turso_platform::{NewDatabase, TokenOptions};
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let created = client.create_database("my-org", &NewDatabase::new("tenant-42", "default")).await?;
    /// let token = client.create_database_token("my-org", "tenant-42", &TokenOptions::new()).await?;
    /// client.wait_for_database(&created.hostname, &token, Duration::from_secs(30)).await?;
    /// // Now connect a libSQL client to created.libsql_url().
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_for_database(
        &self,
        hostname: &str,
        token: &crate::DatabaseToken,
        timeout: Duration,
    ) -> Result<(), Error> {
        use progenitor_client::ClientInfo as _;
        use secrecy::ExposeSecret as _;
        let hostname = crate::database_url::checked(hostname)?;
        let url = format!("{}/v2/pipeline", crate::database_url::http_url(hostname));
        let started = tokio::time::Instant::now();
        let deadline = started + timeout;
        let mut backoff = Duration::from_millis(100);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let attempt = self
                .generated
                .client()
                .post(&url)
                .bearer_auth(token.jwt.expose_secret())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(r#"{"requests":[{"type":"close"}]}"#)
                .timeout(left.clamp(Duration::from_millis(1), Duration::from_secs(10)))
                .send()
                .await;
            let last = match attempt {
                Ok(answer) if answer.status().is_success() => return Ok(()),
                Ok(mut answer)
                    if matches!(
                        answer.status(),
                        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                    ) =>
                {
                    let status = answer.status();
                    // At most 1 KiB of what the host says: it is not the API's answer.
                    let mut body = Vec::new();
                    while body.len() < 1024 {
                        match answer.chunk().await {
                            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                            _ => break,
                        }
                    }
                    body.truncate(1024);
                    return Err(Error::Api {
                        status,
                        message: String::from_utf8_lossy(&body).into_owned(),
                        code: None,
                        retry_after: None,
                    });
                }
                Ok(answer) => format!("HTTP {}", answer.status()),
                Err(e) if e.is_timeout() => "no answer in time".to_owned(),
                Err(_) => "no connection".to_owned(),
            };
            let now = tokio::time::Instant::now();
            if now + backoff >= deadline {
                return Err(Error::NotReady {
                    hostname: hostname.to_owned(),
                    waited: now.duration_since(started),
                    last,
                });
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    /// The database `database` of the organization `org` (`getDatabase`). An unknown
    /// name is [`Error::Api`] with status 404 (also, for a few seconds, that of a
    /// database just created).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let database = client.get_database("my-org", "my-db").await?;
    /// println!("{} in group {:?}", database.db_id, database.group);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_database(&self, org: &str, database: &str) -> Result<Database, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let answer = call!(self.get_database(org, database)).await?;
        Ok(answer.database)
    }

    /// Deletes the database `database` of the organization `org` (`deleteDatabase`), and
    /// with it every token minted for it; returns its name. A database with delete
    /// protection on is refused with [`Error::Api`] status 400.
    ///
    /// The request is sent again only if it cannot have reached the server; if it may
    /// have, the error's [`may_have_taken_effect`](Error::may_have_taken_effect) is true:
    /// [`get_database`](Client::get_database) answers 404 once it is gone.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// client.delete_database("my-org", "tenant-42").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_database(&self, org: &str, database: &str) -> Result<String, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let answer = call!(self.delete_database(org, database)).await?;
        Ok(answer.database)
    }

    /// The configuration of the database `database` of the organization `org`
    /// (`getDatabaseConfiguration`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let configuration = client.get_database_configuration("my-org", "my-db").await?;
    /// println!("protected from deletion: {:?}", configuration.delete_protection);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_database_configuration(
        &self,
        org: &str,
        database: &str,
    ) -> Result<DatabaseConfiguration, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        call!(self.get_database_configuration(org, database)).await
    }

    /// Changes the configuration of the database `database` of the organization `org`
    /// (`updateDatabaseConfiguration`): the properties `changes` sets, and no other.
    /// Returns the whole configuration after the change.
    ///
    /// ```no_run
    /// use turso_platform::DatabaseConfigurationInput;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let changes = DatabaseConfigurationInput::default()
    ///     .with_delete_protection(true)
    ///     .with_block_writes(false);
    /// client.update_database_configuration("my-org", "my-db", &changes).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_database_configuration(
        &self,
        org: &str,
        database: &str,
        changes: &DatabaseConfigurationInput,
    ) -> Result<DatabaseConfiguration, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        call!(self.update_database_configuration(org, database, changes)).await
    }

    /// The instances of the database `database` of the organization `org`
    /// (`listDatabaseInstances`): its primary and a replica in each other location of
    /// its group.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for instance in client.list_database_instances("my-org", "my-db").await? {
    ///     println!("{} ({}) at {}", instance.name, instance.type_, instance.hostname);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_database_instances(
        &self,
        org: &str,
        database: &str,
    ) -> Result<Vec<Instance>, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let answer = call!(self.list_database_instances(org, database)).await?;
        Ok(answer.instances)
    }

    /// The instance `instance` (a location code) of the database `database` of the
    /// organization `org` (`getDatabaseInstance`).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let instance = client.get_database_instance("my-org", "my-db", "aws-us-east-1").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_database_instance(
        &self,
        org: &str,
        database: &str,
        instance: &str,
    ) -> Result<Instance, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let instance = segment("instance name", instance)?;
        let answer = call!(self.get_database_instance(org, database, instance)).await?;
        Ok(answer.instance)
    }

    /// The activity of the database `database` of the organization `org` over the period
    /// `options` gives, the current calendar month by default (`getDatabaseUsage`).
    ///
    /// ```no_run
    /// use turso_platform::UsageOptions;
    ///
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let usage = client.get_database_usage("my-org", "my-db", &UsageOptions::new()).await?;
    /// println!("{:?} rows read this month", usage.total.and_then(|t| t.rows_read));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_database_usage(
        &self,
        org: &str,
        database: &str,
        options: &UsageOptions,
    ) -> Result<DatabaseUsage, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        let (from, to) = options.to_query()?;
        let answer =
            call!(self.get_database_usage(org, database, from.as_ref(), to.as_ref())).await?;
        Ok(answer.database)
    }

    /// The top queries of the database `database` of the organization `org`
    /// (`getDatabaseStats`): those that read or wrote the most rows.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for query in client.get_database_stats("my-org", "my-db").await?.top_queries {
    ///     println!("{:?}: {:?} rows read", query.query, query.rows_read);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_database_stats(
        &self,
        org: &str,
        database: &str,
    ) -> Result<DatabaseStats, Error> {
        let org = segment("organization", org)?;
        let database = segment("database name", database)?;
        call!(self.get_database_stats(org, database)).await
    }
}
