//! Cost of `Expiration::from_str` per input, typical and worst case.
//!
//! Run with `cargo bench -p turso-platform-benches --bench expiration`.

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, criterion_group, criterion_main};
use turso_platform::Expiration;

fn parse(c: &mut Criterion) {
    let long_repeat = "1h".repeat(64);
    let inputs: [(&str, &str); 9] = [
        ("never", "never"),
        ("1d", "1d"),
        ("2w1d30m", "2w1d30m"),
        ("1w2d6h3ns", "1w2d6h3ns"),
        ("max", "15250w1d23h47m16s854ms775us807ns"),
        ("long_fraction", "1.123456789012345678901234567890h"),
        ("long_repeat_64x1h", &long_repeat),
        ("error_unknown_unit", "1y"),
        ("error_too_long", "106752d"),
    ];
    let mut group = c.benchmark_group("Expiration::from_str");
    for (name, input) in inputs {
        group.bench_function(name, |b| {
            b.iter(|| {
                let _ = black_box(Expiration::from_str(black_box(input)));
            });
        });
    }
    group.finish();
}

fn display(c: &mut Criterion) {
    let max = Expiration::from_str("15250w1d23h47m16s854ms775us807ns").ok();
    c.bench_function("Expiration::to_string/max", |b| {
        b.iter(|| black_box(black_box(max).map(|e| e.to_string())));
    });
}

criterion_group!(benches, parse, display);
criterion_main!(benches);
