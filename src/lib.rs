//! Regen Planner: plans regenerative treatments (stem cells, PRP, PRF, secretome) as
//! dated, evidence-aware session plans.
//!
//! The arrows point one way: `ui` uses `store`, `planning` and `export`, which use
//! `catalog`. Nothing below `ui` knows egui; `catalog` and `planning` do no IO.

pub mod catalog;
pub mod export;
pub mod planning;
pub mod store;
pub mod ui;
pub mod untrusted;
