//! The benchmarks of `turso-platform` and `turso-platform-fake` (`cargo bench -p
//! turso-platform-benches`, and the programs `soak`, `scale` and `tenants`): its bench and
//! bin targets. This library holds what several of them use.

pub mod both_sides;
pub mod fixed_answers;
pub mod resident;
