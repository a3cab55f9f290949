//! The generated client against a plain, hand-written reqwest call, in one process,
//! against a minimal HTTP/1.1 server on loopback that answers a fixed body.
//!
//! ```text
//! cargo bench -p turso-platform-benches --bench client                # criterion: time per call of each side
//! cargo bench -p turso-platform-benches --bench client -- --paired    # the ratios, measured in alternating blocks
//! cargo bench -p turso-platform-benches --bench client -- --paired 64_in_flight   # only the ratios so named
//! ```
//!
//! Each criterion group has a `turso_platform` and a `plain_reqwest` function; the ratio
//! of their times is what matters (target: at most 1.03). On a small shared machine two
//! separate criterion runs drift apart by more than that, so `--paired` measures the
//! ratios directly, alternating the two sides block by block, and also splits the
//! difference between the generated client and this crate's layer over it. The plain
//! side is what a careful hand-written call does, sending the same request: the bearer
//! token, the `User-Agent` and `Accept: application/json` are default headers, the
//! timeout is the client's, the URL is formatted per call, the decode is typed.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use futures_util::future::join_all;
use turso_platform::reqwest;
use turso_platform::{Authorization, Client, Expiration, TokenOptions};
use turso_platform_benches::both_sides::{ours, plain_client, plain_list, plain_mint};
use turso_platform_benches::fixed_answers::serve;

const IN_FLIGHT: usize = 64;

fn clients(addr: SocketAddr) -> (Client, reqwest::Client, String) {
    let base = format!("http://{addr}");
    (ours(&base), plain_client(), base)
}

fn list_api_tokens(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = runtime.block_on(serve());
    let (ours, plain, base) = clients(addr);

    let mut group = c.benchmark_group("list_api_tokens/sequential");
    group.bench_function("turso_platform", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(ours.list_api_tokens().await.unwrap()) });
    });
    group.bench_function("plain_reqwest", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(plain_list(&plain, &base).await) });
    });
    group.finish();

    let mut group = c.benchmark_group("list_api_tokens/64_in_flight");
    group.bench_function("turso_platform", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(join_all((0..IN_FLIGHT).map(|_| ours.list_api_tokens())).await)
        });
    });
    group.bench_function("plain_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(join_all((0..IN_FLIGHT).map(|_| plain_list(&plain, &base))).await)
        });
    });
    group.finish();
}

fn create_database_token(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = runtime.block_on(serve());
    let (ours, plain, base) = clients(addr);
    // Options are built and validated inside the measured call, as a user would.
    let mint = || async {
        let options = TokenOptions::new()
            .expiration("1d".parse::<Expiration>().unwrap())
            .authorization(Authorization::ReadOnly);
        ours.create_database_token("my-org", "my-db", &options)
            .await
            .unwrap()
    };

    let mut group = c.benchmark_group("create_database_token/sequential");
    group.bench_function("turso_platform", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(mint().await) });
    });
    group.bench_function("plain_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(plain_mint(&plain, &base, "my-org", "my-db", "1d").await.jwt)
        });
    });
    group.finish();

    let mut group = c.benchmark_group("create_database_token/64_in_flight");
    group.bench_function("turso_platform", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(join_all((0..IN_FLIGHT).map(|_| mint())).await) });
    });
    group.bench_function("plain_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                join_all(
                    (0..IN_FLIGHT).map(|_| plain_mint(&plain, &base, "my-org", "my-db", "1d")),
                )
                .await,
            )
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
        .sample_size(60);
    targets = list_api_tokens, create_database_token
}

/// Ratios measured in alternating blocks (ours then plain, then plain then ours, ...),
/// which cancels the drift of a shared machine that separate criterion runs are exposed
/// to: the median of the per-pair ratios, with its interquartile range. Runs on a
/// current-thread runtime (set `PAIRED_MULTI_THREAD` for the multi-thread one), where
/// the time of a block is the work of the client and the minimal server alone.
fn paired_ratios(filter: &[String]) {
    const PAIRS: usize = 61;
    // 64 calls a repetition: enough repetitions that a block lasts tens of milliseconds,
    // as the sequential ones do (with 4, the quartiles of 64 in flight were 14 % apart).
    const IN_FLIGHT_REPS: usize = 16;
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let runtime = if std::env::var_os("PAIRED_MULTI_THREAD").is_some() {
        tokio::runtime::Runtime::new().unwrap()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let addr = runtime.block_on(serve());
    let (ours, plain, base) = clients(addr);
    let base = base.as_str();
    let options = || {
        TokenOptions::new()
            .expiration("1d".parse::<Expiration>().unwrap())
            .authorization(Authorization::ReadOnly)
    };
    let ours = &ours;
    let plain = &plain;

    println!("\npaired ratios (turso_platform / plain_reqwest), {PAIRS} alternating blocks:");
    runtime.block_on(async {
        let generated = ours.generated();
        // One call of each side; the closures only borrow, so they can be used again.
        let ours_list = || async {
            black_box(ours.list_api_tokens().await.unwrap());
        };
        let generated_list = || async {
            black_box(generated.list_api_tokens().await.unwrap());
        };
        let plain_one_list = || async {
            black_box(plain_list(plain, base).await);
        };
        let ours_mint = || async {
            black_box(
                ours.create_database_token("my-org", "my-db", &options())
                    .await
                    .unwrap(),
            );
        };
        let generated_mint = || async {
            let expiration = "1d".parse::<Expiration>().unwrap();
            let read_only = Some(&Authorization::ReadOnly);
            let body = Default::default();
            let call = generated.create_database_token(
                "my-org",
                "my-db",
                read_only,
                Some(&expiration),
                &body,
            );
            black_box(call.await.unwrap());
        };
        let plain_one_mint = || async {
            black_box(plain_mint(plain, base, "my-org", "my-db", "1d").await.jwt);
        };
        // The same, 64 at once.
        let ours_lists = || async {
            black_box(join_all((0..IN_FLIGHT).map(|_| ours.list_api_tokens())).await);
        };
        let generated_lists = || async {
            black_box(join_all((0..IN_FLIGHT).map(|_| generated.list_api_tokens())).await);
        };
        let plain_lists = || async {
            black_box(join_all((0..IN_FLIGHT).map(|_| plain_list(plain, base))).await);
        };
        let ours_mints = || async {
            let options = options();
            let calls =
                (0..IN_FLIGHT).map(|_| ours.create_database_token("my-org", "my-db", &options));
            black_box(join_all(calls).await);
        };
        let plain_mints = || async {
            let calls = (0..IN_FLIGHT).map(|_| plain_mint(plain, base, "my-org", "my-db", "1d"));
            black_box(join_all(calls).await);
        };

        // Where the difference comes from: the generated client alone against plain
        // reqwest, and this crate's layer (validation, retries, error mapping, secrets)
        // against the generated client alone.
        if wanted("list_api_tokens/sequential: generated/plain") {
            report(
                "list_api_tokens/sequential: generated/plain",
                pairs(PAIRS, 200, generated_list, plain_one_list).await,
            );
        }
        if wanted("list_api_tokens/sequential: ours/generated") {
            report(
                "list_api_tokens/sequential: ours/generated",
                pairs(PAIRS, 200, ours_list, generated_list).await,
            );
        }
        if wanted("create_database_token/sequential: generated/plain") {
            report(
                "create_database_token/sequential: generated/plain",
                pairs(PAIRS, 200, generated_mint, plain_one_mint).await,
            );
        }
        if wanted("create_database_token/sequential: ours/generated") {
            report(
                "create_database_token/sequential: ours/generated",
                pairs(PAIRS, 200, ours_mint, generated_mint).await,
            );
        }
        if wanted("list_api_tokens/64_in_flight: generated/plain") {
            report(
                "list_api_tokens/64_in_flight: generated/plain",
                pairs(PAIRS, IN_FLIGHT_REPS, generated_lists, plain_lists).await,
            );
        }
        if wanted("list_api_tokens/64_in_flight: ours/generated") {
            report(
                "list_api_tokens/64_in_flight: ours/generated",
                pairs(PAIRS, IN_FLIGHT_REPS, ours_lists, generated_lists).await,
            );
        }
        // The totals.
        if wanted("list_api_tokens/sequential") {
            report(
                "list_api_tokens/sequential",
                pairs(PAIRS, 200, ours_list, plain_one_list).await,
            );
        }
        if wanted("list_api_tokens/64_in_flight") {
            report(
                "list_api_tokens/64_in_flight",
                pairs(PAIRS, IN_FLIGHT_REPS, ours_lists, plain_lists).await,
            );
        }
        if wanted("create_database_token/sequential") {
            report(
                "create_database_token/sequential",
                pairs(PAIRS, 200, ours_mint, plain_one_mint).await,
            );
        }
        if wanted("create_database_token/64_in_flight") {
            report(
                "create_database_token/64_in_flight",
                pairs(PAIRS, IN_FLIGHT_REPS, ours_mints, plain_mints).await,
            );
        }
    });
}

/// Per-pair time ratios of `reps` runs of `ours` against `reps` runs of `plain`,
/// alternating which goes first.
async fn pairs<A, FA, B, FB>(pairs: usize, reps: usize, ours: A, plain: B) -> Vec<f64>
where
    A: Fn() -> FA,
    FA: std::future::Future<Output = ()>,
    B: Fn() -> FB,
    FB: std::future::Future<Output = ()>,
{
    let mut ratios = Vec::with_capacity(pairs);
    for pair in 0..pairs {
        let mut times = [0.0; 2];
        for side in [pair % 2, 1 - pair % 2] {
            let start = std::time::Instant::now();
            for _ in 0..reps {
                if side == 0 {
                    ours().await
                } else {
                    plain().await
                }
            }
            times[side] = start.elapsed().as_secs_f64();
        }
        ratios.push(times[0] / times[1]);
    }
    ratios
}

fn report(name: &str, mut ratios: Vec<f64>) {
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    println!(
        "  {name:<40} {:.3}  (IQR {:.3} to {:.3})",
        at(0.5),
        at(0.25),
        at(0.75)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--paired") {
        // Any other argument that is not a flag picks the ratios whose name contains it.
        let filter: Vec<String> = args.into_iter().filter(|a| !a.starts_with('-')).collect();
        paired_ratios(&filter);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
