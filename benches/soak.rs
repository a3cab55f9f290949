//! A long-running fake holds steady memory: its resident set over many database
//! create/delete cycles (each also logged twice in the audit log, which keeps its newest
//! 10,000 entries).
//!
//! ```text
//! cargo run --release -p turso-platform-benches --bin soak -- [CYCLES] [--state DIR]
//! ```
//!
//! CYCLES defaults to 100,000; with `--state DIR` every change is also saved to DIR (the
//! cost of durability shows in the rate). It prints the resident set (Linux's `VmRSS`)
//! and the rate as it goes, and fails if the resident set at the end is more than twice
//! what it was once the audit log was full (after 5,000 cycles).

use std::time::Instant;

use futures_util::future::join_all;
use turso_platform::NewDatabase;
use turso_platform_benches::resident::resident_kib;
use turso_platform_fake::FakeTurso;

/// Cycles in flight at once.
const IN_FLIGHT: usize = 8;

/// Cycles after which the audit log holds all it keeps (10,000 entries, two a cycle).
const FULL_LOG: usize = 5_000;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut cycles = 100_000usize;
    let mut state = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--state" => state = args.next(),
            number => cycles = number.parse().expect("CYCLES is a number"),
        }
    }
    let mut builder = FakeTurso::builder();
    if let Some(dir) = &state {
        builder = builder.state_dir(dir);
    }
    let fake = builder.start().await.expect("the fake starts");
    let client = fake.client();
    let started = Instant::now();
    let mut baseline = None;
    println!("cycles  resident (MiB)  cycles/s");
    let mut done = 0;
    let mut next_report = (cycles / 10).max(1);
    while done < cycles {
        let batch = IN_FLIGHT.min(cycles - done);
        join_all((0..batch).map(|slot| {
            let client = client.clone();
            async move {
                let name = format!("soak-{slot}");
                client
                    .create_database("fake-org", &NewDatabase::new(&name, "default"))
                    .await
                    .expect("create");
                client
                    .delete_database("fake-org", &name)
                    .await
                    .expect("delete");
            }
        }))
        .await;
        done += batch;
        if done >= next_report || done == cycles {
            next_report += (cycles / 10).max(1);
            let resident = resident_kib();
            // Steady once the audit log is full (two entries a cycle).
            if baseline.is_none() && done >= FULL_LOG {
                baseline = resident;
            }
            let rate = done as f64 / started.elapsed().as_secs_f64();
            let mib = resident.map_or("n/a".to_owned(), |kib| {
                format!("{:.1}", kib as f64 / 1024.0)
            });
            println!("{done:>6}  {mib:>14}  {rate:>8.0}");
        }
    }
    let last = resident_kib();
    let entries = fake.audit_log("fake-org").expect("fake-org").len();
    println!("audit log of fake-org: {entries} entries");
    if let (Some(first), Some(last)) = (baseline, last) {
        assert!(
            last <= first * 2,
            "the resident set grew from {first} KiB to {last} KiB"
        );
    }
}
