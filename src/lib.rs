//! Regen Planner: plans regenerative treatments (stem cells, PRP, PRF, secretome) as
//! dated, evidence-aware session plans.
//!
//! The arrows point one way: `ui` and the command line use `desk`, `store`, `planning`
//! and `export`; `desk` joins `store` and `export`, which know nothing of each other;
//! both use `planning`, which uses `catalog`. Nothing below `ui` knows egui; `catalog`
//! and `planning` do no IO.

pub mod catalog;
pub mod demo;
pub mod desk;
pub mod export;
pub mod planning;
pub mod store;
pub mod ui;
pub mod untrusted;
