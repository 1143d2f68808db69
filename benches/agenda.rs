//! The clinic's agenda at a clinic chain's scale, on the benchmarks' demo data (10,000
//! patients; `REGEN_PLANNER_BENCH_PATIENTS=20000` for twice as many), the index loaded
//! as at start-up:
//! - the agenda of today and the next 7 days, every overdue item with it, made from the
//!   index (`desk::agenda::agenda_rows`, what the command and the home screen call);
//! - what a save adds: the saved plan's summary with its dated items made from the
//!   record, put into the loaded index (`PlanSummary::new` and `Index::upsert`);
//! - one frame of the home screen's agenda (`run_ui` + tessellate, headless, 1280x800)
//!   with more than 500 items on it.
//!
//! Targets: under 50 ms for the agenda; the update after a save independent of the
//! number of plans; a frame under 1 ms. Run with `cargo bench --bench agenda`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::sync::LazyLock;

use divan::Bencher;
use jiff::civil::Date;
use regen_planner::desk::agenda::agenda_rows;
use regen_planner::planning::agenda::AgendaQuery;
use regen_planner::store::{Index, Summary};
use regen_planner::ui::agenda_view::{AgendaShown, AgendaView, agenda_ui};

fn main() {
    common::run_benchmarks();
}

/// The demo data's "now": the day the agenda is asked on.
fn today() -> Date {
    common::NOW[..10].parse().unwrap()
}

static INDEX: LazyLock<Index> =
    LazyLock::new(|| common::demo_store().load_index(&mut |_| {}).unwrap());

/// Today and the next 7 days, with every overdue item.
#[divan::bench(sample_count = 50, sample_size = 1)]
fn agenda_week(bencher: Bencher) {
    let index = &*INDEX;
    let query = AgendaQuery::week_from(today());
    let rows = agenda_rows(index, &query);
    assert!(rows.len() > 500, "{} items", rows.len());
    bencher.bench(|| agenda_rows(index, &query));
}

/// After a save: the summary made from the saved record (its dated items with it) and
/// put into the loaded index in place of the old one.
#[divan::bench(sample_count = 100, sample_size = 1)]
fn index_update_after_a_save(bencher: Bencher) {
    let store = common::demo_store();
    let mut index = INDEX.clone();
    let id = index.plans[index.plans.len() / 2].id.clone();
    let revision = store.load_plan(&id).unwrap();
    bencher.bench_local(|| {
        index.upsert(Summary::of_plan(&id, &revision));
    });
}

/// One frame of the agenda, with every overdue item listed and more than 500 items.
#[divan::bench(sample_count = 100, sample_size = 1)]
fn agenda_frame(bencher: Bencher) {
    let index = &*INDEX;
    let ctx = egui::Context::default();
    let mut view = AgendaView::with_days(8);
    let protocols: Vec<(String, String)> = Vec::new();
    let mut time = 0.0;
    let mut frame = |view: &mut AgendaView| {
        time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            time: Some(time),
            ..Default::default()
        };
        let shown = AgendaShown {
            index: Some(index),
            failed: None,
            protocols: &protocols,
            search: "",
            today: today(),
            fresh: false,
        };
        let mut output = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let _ = agenda_ui(ui, view, &shown);
            });
        });
        output.textures_delta.clear();
        ctx.tessellate(output.shapes, output.pixels_per_point).len()
    };
    for _ in 0..10 {
        frame(&mut view);
    }
    assert!(view.counts().0 > 500, "{} items", view.counts().0);
    bencher.bench_local(|| frame(&mut view));
}
