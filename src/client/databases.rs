//! The operations on databases: list, create, read, delete, configure, and their
//! instances, usage and top queries.

use crate::generated::types::{
    CreatedDatabase, Database, DatabaseConfiguration, DatabaseConfigurationInput, DatabaseStats,
    DatabaseUsage, Instance,
};
use crate::operation;
use crate::path::segment;
use crate::{Client, Error, ListDatabasesOptions, NewDatabase, UsageOptions};

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
        let answer = self
            .call(operation::LIST_DATABASES, || {
                // Every database, on one page (no `limit`).
                self.generated
                    .list_databases(org, None, group, None, parent, None)
            })
            .await?;
        Ok(answer.databases)
    }

    /// Creates a database in the organization `org` (`createDatabase`) and returns its
    /// name, ID and host name.
    ///
    /// A name that is taken is [`Error::Api`] with status 400 (as Turso answers today;
    /// its spec says 409 and its CLI reads 422, and any of them is the same error here).
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
        let answer = self
            .call_carrying(operation::CREATE_DATABASE, key.as_slice(), || {
                self.generated.create_database(org, &body)
            })
            .await
            .map_err(|e| e.or_may_exist("database", body.name))?;
        Ok(answer.database)
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
        let answer = self
            .call(operation::GET_DATABASE, || {
                self.generated.get_database(org, database)
            })
            .await?;
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
        let answer = self
            .call(operation::DELETE_DATABASE, || {
                self.generated.delete_database(org, database)
            })
            .await?;
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
        self.call(operation::GET_DATABASE_CONFIGURATION, || {
            self.generated.get_database_configuration(org, database)
        })
        .await
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
        self.call(operation::UPDATE_DATABASE_CONFIGURATION, || {
            self.generated
                .update_database_configuration(org, database, changes)
        })
        .await
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
        let answer = self
            .call(operation::LIST_DATABASE_INSTANCES, || {
                self.generated.list_database_instances(org, database)
            })
            .await?;
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
        let answer = self
            .call(operation::GET_DATABASE_INSTANCE, || {
                self.generated
                    .get_database_instance(org, database, instance)
            })
            .await?;
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
        let answer = self
            .call(operation::GET_DATABASE_USAGE, || {
                self.generated
                    .get_database_usage(org, database, from.as_ref(), to.as_ref())
            })
            .await?;
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
        self.call(operation::GET_DATABASE_STATS, || {
            self.generated.get_database_stats(org, database)
        })
        .await
    }
}
