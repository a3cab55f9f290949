//! What ran on each database, as its usage reports it (`getDatabaseUsage`,
//! `getOrganizationUsage`, `getDatabaseStats`), and what the data plane
//! ([`crate::data`]) needs to know of a database to serve it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use turso_platform::generated::types;

use super::{Database, Group, State};
use crate::ids::derived_uuid;

/// How many distinct queries a database's statistics keep: past it, the one that read
/// and wrote the fewest rows goes.
pub(crate) const KEPT_QUERIES: usize = 100;

/// What ran on a database.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Usage {
    rows_read: u64,
    rows_written: u64,
    storage_bytes: u64,
    /// By SQL text: rows read and written by it.
    queries: BTreeMap<String, (u64, u64)>,
}

/// What a request to a database ran: rows read and written, each statement's, and how
/// large the database is now.
#[derive(Debug, Default)]
pub(crate) struct UsageReport {
    pub(crate) rows_read: u64,
    pub(crate) rows_written: u64,
    /// (SQL text, rows read, rows written), per statement that ran.
    pub(crate) queries: Vec<(String, u64, u64)>,
    pub(crate) storage_bytes: Option<u64>,
}

/// What the data plane needs to know of a database to serve a request.
#[derive(Clone, Debug)]
pub(crate) struct DataTarget {
    pub(crate) name: String,
    pub(crate) group_id: String,
    /// The `seq` of the last rotation of the database or its group: tokens minted at or
    /// before it are invalid.
    pub(crate) rotated_at: u64,
    pub(crate) ready_at: u64,
    pub(crate) archived: bool,
    pub(crate) block_reads: bool,
    pub(crate) block_writes: bool,
}

/// A database another one may attach.
#[derive(Clone, Debug)]
pub(crate) struct AttachTarget {
    pub(crate) id: String,
    pub(crate) allow_attach: bool,
}

impl State {
    /// The database whose ID is `id`, if it exists.
    fn find_database(&self, id: &str) -> Option<(&str, &str, &Database, &Group)> {
        self.organizations.iter().find_map(|(slug, organization)| {
            let (name, record) = organization.databases.iter().find(|(_, db)| db.id == id)?;
            let group = organization.groups.get(&record.group)?;
            Some((slug.as_str(), name.as_str(), record, group))
        })
    }

    /// What the data plane needs to serve the database `id`, if it exists.
    pub(crate) fn data_target(&self, id: &str) -> Option<DataTarget> {
        let (_, name, record, group) = self.find_database(id)?;
        Some(DataTarget {
            name: name.to_owned(),
            group_id: group.id.clone(),
            rotated_at: record.rotated_at.max(group.rotated_at),
            ready_at: record.ready_at,
            archived: group.archived,
            block_reads: record.configuration.block_reads,
            block_writes: record.configuration.block_writes,
        })
    }

    /// The database named `name` in the organization of the database `id`, for `ATTACH`.
    pub(crate) fn attach_target(&self, id: &str, name: &str) -> Option<AttachTarget> {
        let (slug, ..) = self.find_database(id)?;
        let record = self.organizations.get(slug)?.databases.get(name)?;
        Some(AttachTarget {
            id: record.id.clone(),
            allow_attach: record.configuration.allow_attach,
        })
    }

    /// The ID of the database the database `id` was copied from, if it was and that one
    /// still exists.
    pub(crate) fn copied_from(&self, id: &str) -> Option<String> {
        let (_, _, record, _) = self.find_database(id)?;
        let (source, ..) = record.parent.as_ref()?;
        self.find_database(source)?;
        Some(source.clone())
    }

    /// Every database, as (ID, port), the port to be set by whoever serves it.
    pub(crate) fn served_databases(&mut self) -> impl Iterator<Item = (&str, &mut u16)> {
        self.organizations.values_mut().flat_map(|organization| {
            organization
                .databases
                .values_mut()
                .map(|record| (record.id.as_str(), &mut record.port))
        })
    }

    /// Adds what a request ran on the database `id` to its usage.
    pub(crate) fn record_usage(&mut self, id: &str, report: UsageReport) {
        let record = self
            .organizations
            .values_mut()
            .find_map(|organization| organization.databases.values_mut().find(|db| db.id == id));
        let Some(record) = record else {
            return;
        };
        let usage = &mut record.usage;
        usage.rows_read = usage.rows_read.saturating_add(report.rows_read);
        usage.rows_written = usage.rows_written.saturating_add(report.rows_written);
        if let Some(bytes) = report.storage_bytes {
            usage.storage_bytes = bytes;
        }
        for (sql, read, written) in report.queries {
            let entry = usage.queries.entry(sql).or_default();
            entry.0 = entry.0.saturating_add(read);
            entry.1 = entry.1.saturating_add(written);
            if usage.queries.len() > KEPT_QUERIES {
                let least = usage
                    .queries
                    .iter()
                    .min_by_key(|(_, (read, written))| read.saturating_add(*written))
                    .map(|(sql, _)| sql.clone());
                if let Some(least) = least {
                    usage.queries.remove(&least);
                }
            }
        }
    }
}

/// `i64` for the API, saturating.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A database's usage as the API answers it: the rows read and written on its primary,
/// the storage of each instance (each holds a copy), and the same totals under `total`
/// and `usage`.
pub(super) fn usage(record: &Database, group: &Group) -> types::DatabaseUsage {
    let used = &record.usage;
    let figures = |rows: bool, copies: u64| {
        types::Usage::default()
            .with_rows_read(if rows { count(used.rows_read) } else { 0 })
            .with_rows_written(if rows { count(used.rows_written) } else { 0 })
            .with_storage_bytes(count(used.storage_bytes.saturating_mul(copies)))
            .with_bytes_synced(0)
    };
    let instances: Vec<_> = group
        .locations
        .iter()
        .enumerate()
        .map(|(i, location)| {
            types::InstanceUsage::default()
                .with_uuid(derived_uuid(&record.id, location))
                .with_usage(figures(i == 0, 1))
        })
        .collect();
    let copies = instances.len() as u64;
    // The same figures under both names: Turso's spec says `total`, its CLI and
    // TypeScript client read `usage`.
    types::DatabaseUsage::default()
        .with_uuid(record.id.clone())
        .with_total(figures(true, copies))
        .with_usage(figures(true, copies))
        .with_instances(instances)
}

/// The queries that read and wrote the most rows, most first.
pub(super) fn top_queries(record: &Database) -> Vec<types::QueryStats> {
    let mut queries: Vec<_> = record.usage.queries.iter().collect();
    queries.sort_by_key(|(_, (read, written))| std::cmp::Reverse(read.saturating_add(*written)));
    queries
        .into_iter()
        .map(|(sql, (read, written))| {
            types::QueryStats::default()
                .with_query(sql.clone())
                .with_rows_read(count(*read))
                .with_rows_written(count(*written))
        })
        .collect()
}
