//! `regen-planner export ID --json OUT --handout OUT.pdf --consent OUT.pdf ...`: what
//! leaves the app, as files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use regen_planner::export::{self, ClinicDetails, Document, PatientDetails, Price};
use regen_planner::store::{AppDirs, PlanId, Settings, Store};

use super::plans_cmd::parse_plan_id;
use super::print;

/// Arguments of `export`: the plan, and one or more files to write.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The plan's id, as `plans list` prints it.
    pub id: String,
    /// Write the plan as JSON (the shape of `plan --format json`).
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Write the patient handout as a PDF.
    #[arg(long, value_name = "OUT.pdf")]
    pub handout: Option<PathBuf>,
    /// Write the consent form as a PDF.
    #[arg(long, value_name = "OUT.pdf")]
    pub consent: Option<PathBuf>,
}

impl ExportArgs {
    /// Every file asked for, with the function that makes its bytes.
    fn outputs(&self) -> Vec<(&Path, Writer)> {
        let mut outputs: Vec<(&Path, Writer)> = Vec::new();
        if let Some(path) = &self.json {
            outputs.push((path, json_bytes));
        }
        if let Some(path) = &self.handout {
            outputs.push((path, export::handout_pdf));
        }
        if let Some(path) = &self.consent {
            outputs.push((path, export::consent_pdf));
        }
        outputs
    }
}

/// Makes the bytes of one export from the document.
type Writer = fn(&Document) -> Result<Vec<u8>, export::ExportError>;

fn json_bytes(document: &Document) -> Result<Vec<u8>, export::ExportError> {
    export::plan_json(&document.plan).map(String::into_bytes)
}

/// Gathers what an export needs from the store and this desk's settings.
///
/// # Errors
/// When the plan or its patient cannot be read, or the settings are broken.
pub fn document(store: &Store, settings: &Settings, id: &PlanId) -> anyhow::Result<Document> {
    let revision = store.load_plan(id)?;
    let record = revision.value;
    let patient = store.load_patient(&record.patient)?.value;
    let price = settings
        .session_prices
        .get(&record.plan.protocol.id)
        .map(|per_session| Price {
            per_session: *per_session,
            currency: settings.currency.clone(),
        });
    Ok(Document {
        plan_id: id.to_string(),
        revision: revision.number,
        status: record.status.id().to_owned(),
        plan: record.plan,
        patient: PatientDetails {
            name: patient.name,
            birth_date: patient.birth_date,
            clinic_id: patient.clinic_id,
            contact: patient.contact,
        },
        clinic: ClinicDetails {
            name: settings.clinic_name.clone(),
            contact: settings.clinic_contact.clone(),
            physician: settings.physician_name.clone(),
        },
        price,
        generated_on: jiff::Zoned::now().date(),
        calendar_patient_names: settings.calendar_patient_names,
    })
}

/// Writes a file in one step: a temporary file beside it, then a rename, so a reader
/// never sees half an export.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let write = || -> std::io::Result<()> {
        let mut file = tempfile::NamedTempFile::new_in(folder)?;
        std::io::Write::write_all(&mut file, bytes)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|error| error.error)?;
        Ok(())
    };
    write().with_context(|| {
        format!(
            "could not write {}; check that the folder exists and that you may write there",
            path.display()
        )
    })
}

pub fn run(args: &ExportArgs, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    let outputs = args.outputs();
    if outputs.is_empty() {
        anyhow::bail!(
            "say what to export: --json OUT, --handout OUT.pdf or --consent OUT.pdf (see `regen-planner export --help`)"
        );
    }
    let id = parse_plan_id(&args.id)?;
    let store = Store::open(&dirs.data)?;
    let settings = Settings::load(&dirs.config)?;
    let document = document(&store, &settings, &id)?;
    let mut written = String::new();
    for (path, writer) in outputs {
        let bytes = writer(&document)?;
        write_file(path, &bytes)?;
        let _ = writeln!(written, "{}", path.display());
    }
    print(&written)?;
    Ok(ExitCode::SUCCESS)
}
