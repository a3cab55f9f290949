//! The locations where groups can be placed.

use std::collections::BTreeMap;

use crate::{Client, Error};

impl Client {
    /// The locations where groups can be placed and databases replicated
    /// (`listLocations`): a description of each, by location code.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// for (code, description) in client.list_locations().await? {
    ///     println!("{code}: {description}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_locations(&self) -> Result<BTreeMap<String, String>, Error> {
        let answer = call!(self.list_locations()).await?;
        Ok(answer.locations)
    }
}
