//! The "Record session N" form: every field of a session record as typed text, checked
//! while typing with the record's own sentences shown beside the field they are about.
//! A dose above the protocol's maximum is saved but flagged, and the form asks for an
//! adverse-event entry. Lots already used are offered while a lot is typed.

use std::fmt::Write as _;

use egui::{RichText, Ui};
use jiff::civil::{Date, Time};

use crate::catalog::{DoseLimit, Technique};
use crate::planning::{
    Administration, AdverseEvent, AdverseSeverity, Anaesthetic, FieldProblem, Harvest,
    LotSuggestion, Material, MaterialKind, Product, RecordCheck, RecordWarning, SessionRecord,
    Spin,
};

/// One material as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaterialRow {
    /// The name on the label.
    pub name: String,
    /// Device, kit or product.
    pub kind: Option<MaterialKind>,
    /// The lot.
    pub lot: String,
    /// The expiry, `YYYY-MM-DD`.
    pub expiry: String,
}

/// One centrifuge spin as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpinRow {
    /// Force in × g.
    pub g: String,
    /// Minutes.
    pub minutes: String,
}

/// One injection site as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteRow {
    /// Where.
    pub site: String,
    /// How much, in mL.
    pub volume_ml: String,
}

/// One anaesthetic as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnaestheticRow {
    /// The drug.
    pub agent: String,
    /// How it was given.
    pub technique: Option<Technique>,
    /// The total in mg.
    pub total_mg: String,
}

/// One adverse event as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// What happened.
    pub what: String,
    /// How severe.
    pub severity: AdverseSeverity,
    /// What was done.
    pub action: String,
    /// Whether it resolved.
    pub resolved: bool,
}

/// The form of one session's record, as typed so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordForm {
    /// The session (1-based).
    pub session: u32,
    /// Whether it corrects a saved record.
    pub correcting: bool,
    /// The performed date.
    pub performed_on: String,
    /// The time, `HH:MM`.
    pub performed_at: String,
    /// Who performed it.
    pub performer: String,
    /// Harvest site.
    pub harvest_site: String,
    /// Harvested volume, mL.
    pub harvest_volume_ml: String,
    /// Materials with their lots.
    pub materials: Vec<MaterialRow>,
    /// Centrifuge spins.
    pub spins: Vec<SpinRow>,
    /// Platelet concentration factor.
    pub platelet_factor: String,
    /// Platelet count, × 10³/µL.
    pub platelets: String,
    /// Cell count, million.
    pub cells_million: String,
    /// Viability, %.
    pub viability_percent: String,
    /// Product volume, mL.
    pub product_volume_ml: String,
    /// Injection sites.
    pub sites: Vec<SiteRow>,
    /// Patient's weight, kg.
    pub weight_kg: String,
    /// Anaesthetics given.
    pub anaesthetics: Vec<AnaestheticRow>,
    /// Minutes from harvest to injection.
    pub harvest_to_injection_minutes: String,
    /// Adverse events.
    pub events: Vec<EventRow>,
    /// Free notes.
    pub notes: String,
    /// Why the last attempt to record was refused, if it was.
    pub failure: Option<String>,
}

fn opt_text(text: Option<&String>) -> String {
    text.cloned().unwrap_or_default()
}

fn opt_number(value: Option<f64>) -> String {
    value.map(crate::catalog::number).unwrap_or_default()
}

impl RecordForm {
    /// An empty form for session `session`, dated `performed_on`.
    #[must_use]
    pub fn new(session: u32, performed_on: Date) -> Self {
        Self::from_record(&SessionRecord::new(session, performed_on), false)
    }

    /// A form holding a saved record, to correct it.
    #[must_use]
    pub fn from_record(record: &SessionRecord, correcting: bool) -> Self {
        let harvest = record.harvest.clone().unwrap_or_default();
        let product = record.product.clone().unwrap_or_default();
        Self {
            session: record.session,
            correcting,
            performed_on: record.performed_on.to_string(),
            performed_at: record
                .performed_at
                .map(|time| time.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            performer: opt_text(record.performer.as_ref()),
            harvest_site: opt_text(harvest.site.as_ref()),
            harvest_volume_ml: opt_number(harvest.volume_ml),
            materials: record
                .materials
                .iter()
                .map(|material| MaterialRow {
                    name: material.name.clone(),
                    kind: Some(material.kind),
                    lot: opt_text(material.lot.as_ref()),
                    expiry: material.expiry.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
            spins: record
                .spins
                .iter()
                .map(|spin| SpinRow {
                    g: spin.g.to_string(),
                    minutes: spin.minutes.to_string(),
                })
                .collect(),
            platelet_factor: opt_number(product.platelet_factor),
            platelets: opt_number(product.platelets_thousand_per_ul),
            cells_million: opt_number(product.cells_million),
            viability_percent: opt_number(product.viability_percent),
            product_volume_ml: opt_number(product.volume_ml),
            sites: record
                .administration
                .iter()
                .map(|site| SiteRow {
                    site: site.site.clone(),
                    volume_ml: opt_number(site.volume_ml),
                })
                .collect(),
            weight_kg: opt_number(record.weight_kg),
            anaesthetics: record
                .anaesthetics
                .iter()
                .map(|given| AnaestheticRow {
                    agent: given.agent.clone(),
                    technique: given.technique,
                    total_mg: crate::catalog::number(given.total_mg),
                })
                .collect(),
            harvest_to_injection_minutes: record
                .harvest_to_injection_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            events: record
                .adverse_events
                .iter()
                .map(|event| EventRow {
                    what: event.what.clone(),
                    severity: event.severity,
                    action: opt_text(event.action.as_ref()),
                    resolved: event.resolved,
                })
                .collect(),
            notes: opt_text(record.notes.as_ref()),
            failure: None,
        }
    }

    /// Whether anything was typed beyond the date.
    #[must_use]
    pub fn has_typing(&self) -> bool {
        let empty = Self::new(self.session, Date::MIN);
        let mut compared = self.clone();
        compared.performed_on.clone_from(&empty.performed_on);
        compared.failure = None;
        !self.correcting && compared != empty
    }

    /// The record the form holds, or the fields that cannot be read (a number that is
    /// not one, a date not in `YYYY-MM-DD`), each with a sentence.
    ///
    /// # Errors
    /// With every field that could not be read.
    pub fn parse(&self) -> Result<SessionRecord, Vec<FieldProblem>> {
        let mut read = Reader::default();
        let performed_on = read
            .date("performed_on", "The performed date", &self.performed_on)
            .unwrap_or(Date::MIN);
        if self.performed_on.trim().is_empty() {
            read.add(
                "performed_on",
                "The performed date is missing; type the day the session took place as YYYY-MM-DD."
                    .to_owned(),
            );
        }
        let mut record = SessionRecord::new(self.session, performed_on);
        let typed_time = self.performed_at.trim();
        if !typed_time.is_empty() {
            match typed_time.parse::<Time>() {
                Ok(time) => record.performed_at = Some(time),
                Err(_) => read.add(
                    "performed_at",
                    format!(
                        "The time '{typed_time}' is not a time; type it as HH:MM, such as 09:30."
                    ),
                ),
            }
        }
        record.performer = text(&self.performer);
        let harvest_volume = read.number(
            "harvest.volume_ml",
            "The harvested volume",
            &self.harvest_volume_ml,
        );
        if text(&self.harvest_site).is_some() || harvest_volume.is_some() {
            record.harvest = Some(Harvest {
                site: text(&self.harvest_site),
                volume_ml: harvest_volume,
            });
        }
        self.read_materials_and_spins(&mut read, &mut record);
        self.read_product(&mut read, &mut record);
        for (index, row) in self.sites.iter().enumerate() {
            let volume = read.number(
                &format!("administration[{}].volume_ml", index + 1),
                "The volume injected at a site",
                &row.volume_ml,
            );
            record.administration.push(Administration {
                site: row.site.trim().to_owned(),
                volume_ml: volume,
            });
        }
        record.weight_kg = read.number("weight_kg", "The patient's weight", &self.weight_kg);
        for (index, row) in self.anaesthetics.iter().enumerate() {
            let field = format!("anaesthetics[{}].total_mg", index + 1);
            let total = read.number(&field, "The anaesthetic dose", &row.total_mg);
            if row.total_mg.trim().is_empty() {
                read.add(
                    &field,
                    "The anaesthetic dose is missing; type the total given in mg.".to_owned(),
                );
            }
            record.anaesthetics.push(Anaesthetic {
                agent: row.agent.trim().to_owned(),
                technique: row.technique,
                total_mg: total.unwrap_or(0.0),
            });
        }
        record.harvest_to_injection_minutes = read.whole(
            "harvest_to_injection_minutes",
            "The time from harvest to injection",
            &self.harvest_to_injection_minutes,
        );
        for row in &self.events {
            record.adverse_events.push(AdverseEvent {
                what: row.what.trim().to_owned(),
                severity: row.severity,
                action: text(&row.action),
                resolved: row.resolved,
            });
        }
        record.notes = text(&self.notes);
        if read.problems.is_empty() {
            Ok(record)
        } else {
            Err(read.problems)
        }
    }

    /// The materials with their lots, and the centrifuge spins.
    fn read_materials_and_spins(&self, read: &mut Reader, record: &mut SessionRecord) {
        for (index, row) in self.materials.iter().enumerate() {
            let expiry = read.date(
                &format!("materials[{}].expiry", index + 1),
                "The expiry",
                &row.expiry,
            );
            record.materials.push(Material {
                name: row.name.trim().to_owned(),
                kind: row.kind.unwrap_or(MaterialKind::Kit),
                lot: text(&row.lot),
                expiry,
            });
        }
        for (index, row) in self.spins.iter().enumerate() {
            let i = index + 1;
            let g = read.whole(&format!("spins[{i}].g"), "The centrifuge force", &row.g);
            let minutes = read.whole(
                &format!("spins[{i}].minutes"),
                "The centrifuge time",
                &row.minutes,
            );
            record.spins.push(Spin {
                g: g.unwrap_or(0),
                minutes: minutes.unwrap_or(0),
            });
        }
    }

    /// The product, when anything of it was typed.
    fn read_product(&self, read: &mut Reader, record: &mut SessionRecord) {
        let product = Product {
            platelet_factor: read.number(
                "product.platelet_factor",
                "The platelet concentration factor",
                &self.platelet_factor,
            ),
            platelets_thousand_per_ul: read.number(
                "product.platelets_thousand_per_ul",
                "The platelet count",
                &self.platelets,
            ),
            cells_million: read.number(
                "product.cells_million",
                "The cell count",
                &self.cells_million,
            ),
            viability_percent: read.number(
                "product.viability_percent",
                "The cell viability",
                &self.viability_percent,
            ),
            volume_ml: read.number(
                "product.volume_ml",
                "The product volume",
                &self.product_volume_ml,
            ),
        };
        if product != Product::default() {
            record.product = Some(product);
        }
    }
}

/// A typed text, trimmed, or nothing when blank.
fn text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Reads typed fields, collecting a sentence for each that cannot be read.
#[derive(Default)]
struct Reader {
    problems: Vec<FieldProblem>,
}

impl Reader {
    fn add(&mut self, field: &str, message: String) {
        self.problems.push(FieldProblem {
            field: field.to_owned(),
            message,
        });
    }

    /// A decimal number (a comma is read as the decimal point), or nothing when blank.
    fn number(&mut self, field: &str, label: &str, typed: &str) -> Option<f64> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        match typed.replace(',', ".").parse::<f64>() {
            Ok(value) if value.is_finite() => Some(value),
            _ => {
                self.add(
                    field,
                    format!("{label} '{typed}' is not a number; type digits, such as 12.5."),
                );
                None
            }
        }
    }

    /// A whole number, or nothing when blank.
    fn whole(&mut self, field: &str, label: &str, typed: &str) -> Option<u32> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        if let Ok(value) = typed.parse::<u32>() {
            Some(value)
        } else {
            self.add(
                field,
                format!("{label} '{typed}' is not a whole number; type digits, such as 15."),
            );
            None
        }
    }

    /// A date as `YYYY-MM-DD`, or nothing when blank.
    fn date(&mut self, field: &str, label: &str, typed: &str) -> Option<Date> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        if let Ok(date) = typed.parse::<Date>() {
            Some(date)
        } else {
            self.add(
                field,
                format!("{label} '{typed}' is not a date; type it as YYYY-MM-DD."),
            );
            None
        }
    }
}

/// What checking the form says: the record if it can be saved with its warnings, or
/// every problem by field.
pub struct Checked {
    /// The record, when it can be saved.
    pub record: Option<SessionRecord>,
    /// Every problem, field by field.
    pub problems: Vec<FieldProblem>,
    /// What a physician must know about the record (a dose above the maximum).
    pub warnings: Vec<RecordWarning>,
}

/// Checks the form: first that every field can be read, then the record's own rules.
#[must_use]
pub fn check_form(
    form: &RecordForm,
    today: Date,
    session_count: u32,
    limits: &[DoseLimit],
) -> Checked {
    match form.parse() {
        Err(problems) => Checked {
            record: None,
            problems,
            warnings: Vec::new(),
        },
        Ok(record) => match record.check(&RecordCheck {
            today,
            session_count,
            dose_limits: limits,
        }) {
            Ok(warnings) => Checked {
                record: Some(record),
                problems: Vec::new(),
                warnings,
            },
            Err(invalid) => Checked {
                record: None,
                problems: invalid.problems,
                warnings: Vec::new(),
            },
        },
    }
}

/// What the form asks for.
pub enum FormAnswer {
    /// Save this record.
    Save(Box<SessionRecord>),
    /// Close the form without saving.
    Cancel,
}

/// A labelled single-line field, with the sentences of its problems beside it.
fn field(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    width: f32,
    problems: &[&FieldProblem],
) -> egui::Response {
    let mut response = None;
    ui.horizontal_wrapped(|ui| {
        let label_response = ui.label(label);
        response = Some(
            ui.add(egui::TextEdit::singleline(text).desired_width(width))
                .labelled_by(label_response.id),
        );
        for problem in problems {
            ui.colored_label(ui.visuals().error_fg_color, &problem.message);
        }
    });
    response.unwrap_or_else(|| ui.label(""))
}

fn about<'p>(problems: &'p [FieldProblem], path: &str) -> Vec<&'p FieldProblem> {
    problems.iter().filter(|p| p.field == path).collect()
}

/// A small button with its own accessible name.
/// The heading of a group of fields, set off from the group above.
fn group_heading(ui: &mut Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text).strong());
}

/// A short visible label ("Lot") and a one-line field whose accessible name says it in
/// full ("Lot of material 1"), for rows that repeat the same fields.
fn short_labelled_edit(
    ui: &mut Ui,
    shown: &str,
    name: &str,
    text: &mut String,
    edit: impl FnOnce(egui::TextEdit<'_>) -> egui::TextEdit<'_>,
) -> egui::Response {
    ui.label(shown);
    let response = ui.add(edit(egui::TextEdit::singleline(text)));
    response.widget_info(|| {
        let mut info = egui::WidgetInfo::text_edit(true, "", text.as_str(), "");
        info.label = Some(name.to_owned());
        info
    });
    response
}

fn named_small_button(ui: &mut Ui, text: &str, accessible_name: &str) -> egui::Response {
    let response = ui.small_button(text);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, accessible_name));
    response
}

/// The form. `suggest` gives the lots already used that start with what was typed.
pub fn record_form_ui(
    ui: &mut Ui,
    form: &mut RecordForm,
    checked: &Checked,
    suggest: &dyn Fn(&str) -> Vec<LotSuggestion>,
) -> Option<FormAnswer> {
    let mut answer = None;
    let n = form.session;
    let problems = &checked.problems;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new(if form.correcting {
                format!("Correct the record of session {n}")
            } else {
                format!("Record session {n}")
            })
            .strong(),
        );
        ui.weak("Only the date is required. Each entry is checked as it is typed.");
        field(ui, "Performed on (YYYY-MM-DD)", &mut form.performed_on, 90.0, &about(problems, "performed_on"));
        field(ui, "Time (HH:MM)", &mut form.performed_at, 60.0, &about(problems, "performed_at"));
        field(ui, "Performed by", &mut form.performer, 220.0, &about(problems, "performer"));
        for problem in about(problems, "session") {
            ui.colored_label(ui.visuals().error_fg_color, &problem.message);
        }

        group_heading(ui, "Harvest");
        field(ui, "Harvest site", &mut form.harvest_site, 220.0, &about(problems, "harvest.site"));
        field(ui, "Harvested volume (mL)", &mut form.harvest_volume_ml, 70.0, &about(problems, "harvest.volume_ml"));
        field(
            ui,
            "Minutes from harvest to injection",
            &mut form.harvest_to_injection_minutes,
            60.0,
            &about(problems, "harvest_to_injection_minutes"),
        );

        materials_ui(ui, form, problems, suggest);
        spins_ui(ui, form, problems);

        group_heading(ui, "Product");
        field(ui, "Platelet concentration factor (× blood)", &mut form.platelet_factor, 60.0, &about(problems, "product.platelet_factor"));
        field(ui, "Platelet count (× 10³/µL)", &mut form.platelets, 70.0, &about(problems, "product.platelets_thousand_per_ul"));
        field(ui, "Cell count (million)", &mut form.cells_million, 70.0, &about(problems, "product.cells_million"));
        field(ui, "Cell viability (%)", &mut form.viability_percent, 60.0, &about(problems, "product.viability_percent"));
        field(ui, "Product volume (mL)", &mut form.product_volume_ml, 60.0, &about(problems, "product.volume_ml"));

        sites_ui(ui, form, problems);

        group_heading(ui, "Anaesthetic");
        field(ui, "Patient's weight (kg)", &mut form.weight_kg, 60.0, &about(problems, "weight_kg"));
        anaesthetics_ui(ui, form, problems);

        for warning in &checked.warnings {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Saved but flagged: {}", warning.message));
            if warning.asks_for_adverse_event && form.events.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Record what happened as an adverse event below (even \"no symptoms\" with its severity).",
                );
            }
        }

        events_ui(ui, form, problems);

        let label = ui.label("Notes on the session");
        ui.add(egui::TextEdit::multiline(&mut form.notes).desired_rows(2).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        for problem in about(problems, "notes") {
            ui.colored_label(ui.visuals().error_fg_color, &problem.message);
        }
        // Problems of fields the form does not show beside one.
        if let Some(failure) = &form.failure {
            ui.colored_label(ui.visuals().error_fg_color, failure);
        }
        ui.horizontal(|ui| {
            let save_text = if form.correcting {
                format!("Save the correction of session {n}")
            } else {
                format!("Save the record of session {n}")
            };
            let can_save = checked.record.is_some();
            let save = ui
                .add_enabled(can_save, egui::Button::new(save_text))
                .on_disabled_hover_text("Correct the entries marked in red first");
            if save.clicked()
                && let Some(record) = &checked.record
            {
                answer = Some(FormAnswer::Save(Box::new(record.clone())));
            }
            if !problems.is_empty() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "{} entr{} to correct.",
                        problems.len(),
                        if problems.len() == 1 { "y" } else { "ies" }
                    ),
                );
            }
            if named_small_button(ui, "Cancel", &format!("Cancel the record of session {n}")).clicked() {
                answer = Some(FormAnswer::Cancel);
            }
        });
    });
    answer
}

fn materials_ui(
    ui: &mut Ui,
    form: &mut RecordForm,
    problems: &[FieldProblem],
    suggest: &dyn Fn(&str) -> Vec<LotSuggestion>,
) {
    group_heading(ui, "Materials and lots");
    let mut remove = None;
    for (index, row) in form.materials.iter_mut().enumerate() {
        let i = index + 1;
        let path = |name: &str| format!("materials[{i}].{name}");
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("Material {i}"));
            ui.add(
                egui::TextEdit::singleline(&mut row.name)
                    .desired_width(220.0)
                    .hint_text("name on the label"),
            )
            .labelled_by(label.id);
            ui.label("Kind");
            let kind = row.kind.unwrap_or(MaterialKind::Kit);
            let mut chosen = kind;
            let kind_name = format!("Kind of material {i}");
            egui::ComboBox::from_id_salt(("material-kind", i))
                .selected_text(chosen.label())
                .show_ui(ui, |ui| {
                    for option in MaterialKind::ALL {
                        ui.selectable_value(&mut chosen, *option, option.label());
                    }
                })
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &kind_name));
            row.kind = Some(chosen);
            let lot = short_labelled_edit(
                ui,
                "Lot",
                &format!("Lot of material {i}"),
                &mut row.lot,
                |edit| edit.desired_width(110.0),
            );
            short_labelled_edit(
                ui,
                "Expiry",
                &format!("Expiry of material {i} (YYYY-MM-DD)"),
                &mut row.expiry,
                |edit| edit.desired_width(90.0).hint_text("YYYY-MM-DD"),
            );
            if named_small_button(ui, "Remove", &format!("Remove material {i}")).clicked() {
                remove = Some(index);
            }
            // Lots already used, while the lot is typed: one click fills it in.
            if lot.has_focus() && !row.lot.trim().is_empty() {
                let offered: Vec<LotSuggestion> = suggest(&row.lot)
                    .into_iter()
                    .filter(|s| !s.lot.eq_ignore_ascii_case(row.lot.trim()))
                    .take(5)
                    .collect();
                if !offered.is_empty() {
                    ui.end_row();
                    ui.weak("Used before:");
                    for suggestion in offered {
                        let text = format!(
                            "{} ({}, {}×)",
                            suggestion.lot, suggestion.material, suggestion.uses
                        );
                        if named_small_button(ui, &text, &format!("Use lot {}", suggestion.lot))
                            .clicked()
                        {
                            row.lot.clone_from(&suggestion.lot);
                            if row.name.trim().is_empty() {
                                row.name.clone_from(&suggestion.material);
                            }
                        }
                    }
                }
            }
        });
        for name in ["name", "lot", "expiry"] {
            for problem in about(problems, &path(name)) {
                ui.colored_label(ui.visuals().error_fg_color, &problem.message);
            }
        }
    }
    if let Some(index) = remove {
        form.materials.remove(index);
    }
    if ui.small_button("Add a material").clicked() {
        form.materials.push(MaterialRow::default());
    }
}

fn spins_ui(ui: &mut Ui, form: &mut RecordForm, problems: &[FieldProblem]) {
    group_heading(ui, "Processing (centrifuge)");
    let mut remove = None;
    for (index, row) in form.spins.iter_mut().enumerate() {
        let i = index + 1;
        ui.horizontal_wrapped(|ui| {
            short_labelled_edit(
                ui,
                &format!("Spin {i}"),
                &format!("Spin {i} force (× g)"),
                &mut row.g,
                |edit| edit.desired_width(60.0),
            );
            short_labelled_edit(
                ui,
                "× g for",
                &format!("Spin {i} minutes"),
                &mut row.minutes,
                |edit| edit.desired_width(40.0),
            );
            ui.label("minutes");
            if named_small_button(ui, "Remove", &format!("Remove spin {i}")).clicked() {
                remove = Some(index);
            }
        });
        for name in ["g", "minutes"] {
            for problem in about(problems, &format!("spins[{i}].{name}")) {
                ui.colored_label(ui.visuals().error_fg_color, &problem.message);
            }
        }
    }
    if let Some(index) = remove {
        form.spins.remove(index);
    }
    if ui.small_button("Add a spin").clicked() {
        form.spins.push(SpinRow::default());
    }
}

fn sites_ui(ui: &mut Ui, form: &mut RecordForm, problems: &[FieldProblem]) {
    group_heading(ui, "Where it was injected");
    let mut remove = None;
    for (index, row) in form.sites.iter_mut().enumerate() {
        let i = index + 1;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("Injection site {i}"));
            ui.add(egui::TextEdit::singleline(&mut row.site).desired_width(180.0))
                .labelled_by(label.id);
            short_labelled_edit(
                ui,
                "Volume (mL)",
                &format!("Volume at site {i} (mL)"),
                &mut row.volume_ml,
                |edit| edit.desired_width(50.0),
            );
            if named_small_button(ui, "Remove", &format!("Remove injection site {i}")).clicked() {
                remove = Some(index);
            }
        });
        for name in ["site", "volume_ml"] {
            for problem in about(problems, &format!("administration[{i}].{name}")) {
                ui.colored_label(ui.visuals().error_fg_color, &problem.message);
            }
        }
    }
    if let Some(index) = remove {
        form.sites.remove(index);
    }
    if ui.small_button("Add an injection site").clicked() {
        form.sites.push(SiteRow::default());
    }
}

fn anaesthetics_ui(ui: &mut Ui, form: &mut RecordForm, problems: &[FieldProblem]) {
    let mut remove = None;
    for (index, row) in form.anaesthetics.iter_mut().enumerate() {
        let i = index + 1;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("Anaesthetic {i}"));
            ui.add(
                egui::TextEdit::singleline(&mut row.agent)
                    .desired_width(220.0)
                    .hint_text("e.g. lidocaine 1%"),
            )
            .labelled_by(label.id);
            ui.label("Technique");
            let technique_name = format!("Technique of anaesthetic {i}");
            let mut chosen = row.technique;
            egui::ComboBox::from_id_salt(("technique", i))
                .selected_text(chosen.map_or("Not said", Technique::label))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut chosen, None, "Not said");
                    for option in Technique::ALL {
                        ui.selectable_value(&mut chosen, Some(*option), option.label());
                    }
                })
                .response
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &technique_name)
                });
            row.technique = chosen;
            short_labelled_edit(
                ui,
                "Total (mg)",
                &format!("Total of anaesthetic {i} (mg)"),
                &mut row.total_mg,
                |edit| edit.desired_width(60.0),
            );
            if named_small_button(ui, "Remove", &format!("Remove anaesthetic {i}")).clicked() {
                remove = Some(index);
            }
        });
        for name in ["agent", "total_mg"] {
            for problem in about(problems, &format!("anaesthetics[{i}].{name}")) {
                ui.colored_label(ui.visuals().error_fg_color, &problem.message);
            }
        }
    }
    if let Some(index) = remove {
        form.anaesthetics.remove(index);
    }
    if ui.small_button("Add an anaesthetic").clicked() {
        form.anaesthetics.push(AnaestheticRow::default());
    }
}

fn events_ui(ui: &mut Ui, form: &mut RecordForm, problems: &[FieldProblem]) {
    group_heading(ui, "Adverse events");
    let mut remove = None;
    for (index, row) in form.events.iter_mut().enumerate() {
        let i = index + 1;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("Adverse event {i}"));
            ui.add(
                egui::TextEdit::singleline(&mut row.what)
                    .desired_width(200.0)
                    .hint_text("what happened"),
            )
            .labelled_by(label.id);
            ui.label("Severity");
            let severity_name = format!("Severity of adverse event {i}");
            egui::ComboBox::from_id_salt(("severity", i))
                .selected_text(row.severity.label())
                .show_ui(ui, |ui| {
                    for option in AdverseSeverity::ALL {
                        ui.selectable_value(&mut row.severity, *option, option.label());
                    }
                })
                .response
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &severity_name)
                });
            short_labelled_edit(
                ui,
                "Action taken",
                &format!("Action taken for adverse event {i}"),
                &mut row.action,
                |edit| edit.desired_width(180.0),
            );
            ui.checkbox(&mut row.resolved, format!("Adverse event {i} resolved"));
            if named_small_button(ui, "Remove", &format!("Remove adverse event {i}")).clicked() {
                remove = Some(index);
            }
        });
        for name in ["what", "action"] {
            for problem in about(problems, &format!("adverse_events[{i}].{name}")) {
                ui.colored_label(ui.visuals().error_fg_color, &problem.message);
            }
        }
    }
    if let Some(index) = remove {
        form.events.remove(index);
    }
    if ui.small_button("Add an adverse event").clicked() {
        form.events.push(EventRow {
            what: String::new(),
            severity: AdverseSeverity::Mild,
            action: String::new(),
            resolved: false,
        });
    }
}

/// A saved record in a few lines: what was used and given, with its warnings.
pub fn record_summary(record: &SessionRecord) -> Vec<String> {
    let mut lines = Vec::new();
    // The date is on the line above; the time and who performed it, when recorded.
    let mut first = String::new();
    if let Some(time) = record.performed_at {
        let _ = write!(first, "At {}", time.strftime("%H:%M"));
    }
    if let Some(by) = &record.performer {
        let _ = write!(first, "{}y {by}", if first.is_empty() { "B" } else { " b" });
    }
    if !first.is_empty() {
        lines.push(first);
    }
    if let Some(harvest) = &record.harvest {
        let mut text = "Harvest".to_owned();
        if let Some(site) = &harvest.site {
            let _ = write!(text, " from {site}");
        }
        if let Some(volume) = harvest.volume_ml {
            let _ = write!(text, ", {} mL", crate::catalog::number(volume));
        }
        if let Some(minutes) = record.harvest_to_injection_minutes {
            let _ = write!(text, ", injected {minutes} minutes later");
        }
        lines.push(text);
    }
    for material in &record.materials {
        let mut text = format!("{}: {}", material.kind.label(), material.name);
        if let Some(lot) = &material.lot {
            let _ = write!(text, ", lot {lot}");
        }
        if let Some(expiry) = material.expiry {
            let _ = write!(text, ", expires {expiry}");
        }
        lines.push(text);
    }
    if !record.spins.is_empty() {
        let spins: Vec<String> = record
            .spins
            .iter()
            .map(|spin| format!("{} × g for {} min", spin.g, spin.minutes))
            .collect();
        lines.push(format!("Centrifuge: {}", spins.join(", then ")));
    }
    given_lines(record, &mut lines);
    lines
}

/// The product, where it went, the anaesthetic, adverse events and notes.
fn given_lines(record: &SessionRecord, lines: &mut Vec<String>) {
    if let Some(product) = &record.product {
        let mut parts = Vec::new();
        let n = crate::catalog::number;
        if let Some(v) = product.platelet_factor {
            parts.push(format!("{}× platelets", n(v)));
        }
        if let Some(v) = product.platelets_thousand_per_ul {
            parts.push(format!("{} × 10³ platelets/µL", n(v)));
        }
        if let Some(v) = product.cells_million {
            parts.push(format!("{} million cells", n(v)));
        }
        if let Some(v) = product.viability_percent {
            parts.push(format!("{}% viable", n(v)));
        }
        if let Some(v) = product.volume_ml {
            parts.push(format!("{} mL", n(v)));
        }
        lines.push(format!("Product: {}", parts.join(", ")));
    }
    if !record.administration.is_empty() {
        let sites: Vec<String> = record
            .administration
            .iter()
            .map(|site| match site.volume_ml {
                Some(volume) => format!("{} ({} mL)", site.site, crate::catalog::number(volume)),
                None => site.site.clone(),
            })
            .collect();
        lines.push(format!("Injected: {}", sites.join(", ")));
    }
    for given in &record.anaesthetics {
        let mut text = format!(
            "Anaesthetic: {} {} mg",
            given.agent,
            crate::catalog::number(given.total_mg)
        );
        if let Some(weight) = record.weight_kg {
            let _ = write!(text, " (patient {} kg)", crate::catalog::number(weight));
        }
        lines.push(text);
    }
    for event in &record.adverse_events {
        let mut text = format!(
            "Adverse event ({}): {}",
            event.severity.label().to_lowercase(),
            event.what
        );
        if let Some(action) = &event.action {
            let _ = write!(text, "; {action}");
        }
        text.push_str(if event.resolved {
            "; resolved"
        } else {
            "; not resolved"
        });
        lines.push(text);
    }
    if let Some(notes) = &record.notes {
        lines.push(format!("Notes: {notes}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_form_reads_back_as_the_record_it_was_made_from() {
        let mut record = SessionRecord::new(2, "2027-03-10".parse().unwrap());
        record.performer = Some("Dr Aydin".into());
        record.weight_kg = Some(72.5);
        record.materials.push(Material {
            name: "PRP kit".into(),
            kind: MaterialKind::Kit,
            lot: Some("K-22".into()),
            expiry: Some("2028-01-01".parse().unwrap()),
        });
        record.spins.push(Spin {
            g: 1500,
            minutes: 5,
        });
        let form = RecordForm::from_record(&record, true);
        assert_eq!(form.parse(), Ok(record));
    }

    #[test]
    fn a_field_that_is_not_a_number_is_named_with_a_sentence() {
        let mut form = RecordForm::new(1, "2027-03-10".parse().unwrap());
        form.weight_kg = "seventy".into();
        form.performed_on = "10.03.2027".into();
        let problems = form.parse().unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["performed_on", "weight_kg"]);
        assert!(problems[1].message.contains("'seventy' is not a number"));
    }
}
