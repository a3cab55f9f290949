//! The benchmarks of `turso-platform` and `turso-platform-fake` (`cargo bench -p
//! turso-platform-benches`); this library is empty, the benchmarks are its bench targets.
