//! The store's entries on a PostgreSQL server: the second [`Medium`].
//!
//! Each entry of the data folder is a row holding the very bytes the file would hold:
//! `revisions` keyed by (kind, record, number), written once (`ON CONFLICT DO
//! NOTHING`, so a save based on an older revision finds its number taken and becomes a
//! conflict, as on the folder); `heads`, one per record, moved only forward in one
//! statement; `generated`, keyed by the SHA-256 of their bytes. The revision format, the
//! changes of format 3, the hash chain and `verify` read these bytes exactly as they
//! read the files, so a body changed or a row deleted by SQL is found as a changed or
//! removed file is.
//!
//! The schema is made by versioned migrations embedded in the binary
//! ([`init`], `regen-planner db init URL`); [`Database::connect`] refuses a database
//! whose schema is older (not migrated) or newer (a newer app) than this app's.
//!
//! Every wait is bounded: connecting gives up after [`CONNECT_TIMEOUT`], a statement
//! after [`STATEMENT_TIMEOUT`], and a connection whose server stopped answering is
//! dropped by the system after [`TCP_USER_TIMEOUT`]; the next use connects again.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};

use super::error::StoreError;
use super::folder::{NewRecord, RevisionFiles, chain_of};
use super::fsio::{NewFileError, ReadFailure};
use super::ids::PatientId;
use super::medium::{Entry, Medium};

/// How long connecting to the server may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one statement may take on the server.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long sent data may stay unanswered before the connection is given up.
pub const TCP_USER_TIMEOUT: Duration = Duration::from_secs(5);

mod embedded {
    refinery::embed_migrations!("src/store/migrations");
}

/// The table in which the migrations applied are recorded.
const HISTORY_TABLE: &str = "regen_schema_history";

/// Why the database cannot be used, as one sentence naming the server and what to do.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The URL cannot be read.
    #[error(
        "the database URL cannot be read ({what}); write it as postgresql://USER@HOST/DATABASE, with the password in ~/.pgpass rather than in the URL"
    )]
    Url {
        /// Why.
        what: String,
    },
    /// A server that is not on this computer without TLS.
    #[error(
        "the database server {server} is not on this computer, so the connection must be encrypted: add sslmode=require (or verify-full) to the URL; the server's certificate is always checked"
    )]
    NeedsTls {
        /// The server, as `host:port/database`.
        server: String,
    },
    /// The server could not be reached or refused the connection.
    #[error(
        "could not connect to the database server {server} ({what}); check that it is running and reachable and that the user may log in, then try again"
    )]
    Connect {
        /// The server.
        server: String,
        /// Why.
        what: String,
    },
    /// The schema was never made.
    #[error(
        "the database {server} has no Regen Planner schema (or an older one, version {found} of {known}); run `regen-planner db init URL` first"
    )]
    NotMigrated {
        /// The server.
        server: String,
        /// The version found (0: none).
        found: i64,
        /// The version this app makes.
        known: i64,
    },
    /// The schema is newer than this app.
    #[error(
        "the database {server} has schema version {found}, newer than this app knows ({known}): a newer Regen Planner made it; update the app on this desk, and nothing is changed meanwhile"
    )]
    Newer {
        /// The server.
        server: String,
        /// The version found.
        found: i64,
        /// The version this app makes.
        known: i64,
    },
    /// A statement failed.
    #[error(
        "the database server {server} did not answer ({what}); check that it is running and reachable, then try again; nothing was overwritten"
    )]
    Query {
        /// The server.
        server: String,
        /// Why.
        what: String,
    },
}

/// The version of the schema this app makes: its newest migration.
fn known_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| i64::from(migration.version()))
        .max()
        .unwrap_or(0)
}

/// A database URL read, with what messages say of it (never the password).
#[derive(Clone)]
struct Target {
    config: Config,
    /// `host:port/database`, for messages.
    server: String,
    tls: bool,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("server", &self.server)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl Target {
    fn parse(url: &str) -> Result<Target, DatabaseError> {
        // libpq's verify-ca and verify-full are what the connection does anyway: the
        // certificate and the host name are always checked.
        let url = url
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require");
        let mut config = Config::from_str(&url).map_err(|error| DatabaseError::Url {
            what: error.to_string(),
        })?;
        let hosts = config.get_hosts().to_vec();
        if hosts.is_empty() {
            return Err(DatabaseError::Url {
                what: "it names no host; give one, or the folder of the server's socket as ?host=/run/postgresql".to_owned(),
            });
        }
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or("postgres")
            .to_owned();
        let host_text = match &hosts[0] {
            Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            Host::Unix(path) => path.display().to_string(),
        };
        let server = format!("{host_text}:{port}/{database}");
        let local = hosts.iter().all(|host| match host {
            Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
            #[cfg(unix)]
            Host::Unix(_) => true,
        });
        let tls = config.get_ssl_mode() == SslMode::Require;
        if !local && !tls {
            return Err(DatabaseError::NeedsTls { server });
        }
        if config.get_password().is_none()
            && let Some(user) = config.get_user().map(str::to_owned)
            && let Some(password) = super::pgpass::lookup(&host_text, port, &database, &user)
        {
            config.password(password);
        }
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_user_timeout(TCP_USER_TIMEOUT)
            .keepalives_idle(Duration::from_secs(10))
            .application_name("regen-planner")
            .options(&format!(
                "-c statement_timeout={} -c lock_timeout={}",
                STATEMENT_TIMEOUT.as_millis(),
                STATEMENT_TIMEOUT.as_millis()
            ));
        Ok(Target {
            config,
            server,
            tls,
        })
    }

    fn connect(&self) -> Result<Client, DatabaseError> {
        let connected = if self.tls {
            self.config.connect(tls_connector()?)
        } else {
            self.config.connect(NoTls)
        };
        connected.map_err(|error| DatabaseError::Connect {
            server: self.server.clone(),
            what: one_line(&error),
        })
    }

    fn query_error(&self, error: &postgres::Error) -> DatabaseError {
        DatabaseError::Query {
            server: self.server.clone(),
            what: one_line(error),
        }
    }
}

/// The TLS connector: rustls with the system's trusted certificates.
fn tls_connector() -> Result<tokio_postgres_rustls::MakeRustlsConnect, DatabaseError> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for certificate in found.certs {
        let _ = roots.add(certificate);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| DatabaseError::Url {
            what: error.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// An error of the client as one line, with the server's own message when it sent one.
fn one_line(error: &postgres::Error) -> String {
    let text = if let Some(db) = error.as_db_error() {
        db.message().to_owned()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    };
    crate::untrusted::escape_controls(&text).into_owned()
}

/// Makes or brings up to date the schema of a database: the migrations embedded in the
/// binary that it has not had yet, in order, each in its own transaction. Returns the
/// schema version the database now has.
///
/// # Errors
/// When the server cannot be reached, the schema is newer than this app, or a
/// migration fails (the database is then left at the version before it).
pub fn init(url: &str) -> Result<i64, DatabaseError> {
    let target = Target::parse(url)?;
    let mut client = target.connect()?;
    let known = known_version();
    let found = schema_version(&target, &mut client)?;
    if found > known {
        return Err(DatabaseError::Newer {
            server: target.server,
            found,
            known,
        });
    }
    let mut runner = embedded::migrations::runner()
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(HISTORY_TABLE);
    runner
        .run(&mut client)
        .map_err(|error| DatabaseError::Query {
            server: target.server.clone(),
            what: format!("a migration failed: {error}"),
        })?;
    schema_version(&target, &mut client)
}

/// The schema version a database has: 0 when it has none.
fn schema_version(target: &Target, client: &mut Client) -> Result<i64, DatabaseError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&format!("public.{HISTORY_TABLE}")],
        )
        .map_err(|error| target.query_error(&error))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let version: Option<i32> = client
        .query_one(&format!("SELECT max(version) FROM {HISTORY_TABLE}"), &[])
        .map_err(|error| target.query_error(&error))?
        .get(0);
    Ok(version.map_or(0, i64::from))
}

/// The store's entries on a PostgreSQL database. One connection, shared by the clones
/// of a store and made again when it was lost.
pub(crate) struct Database {
    target: Target,
    client: Mutex<Option<Client>>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("server", &self.target.server)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects to a database whose schema is this app's.
    ///
    /// # Errors
    /// When the URL cannot be read, the server cannot be reached, or the schema is
    /// missing, older or newer than this app's.
    pub(crate) fn connect(url: &str) -> Result<Database, DatabaseError> {
        let target = Target::parse(url)?;
        let mut client = target.connect()?;
        let found = schema_version(&target, &mut client)?;
        let known = known_version();
        if found > known {
            return Err(DatabaseError::Newer {
                server: target.server,
                found,
                known,
            });
        }
        if found < known {
            return Err(DatabaseError::NotMigrated {
                server: target.server,
                found,
                known,
            });
        }
        Ok(Database {
            target,
            client: Mutex::new(Some(client)),
        })
    }

    /// The server, as messages name it (`host:port/database`).
    pub(crate) fn server(&self) -> &str {
        &self.target.server
    }

    /// Runs `work` on the connection, connecting again first when it was lost.
    pub(crate) fn with_client<R>(
        &self,
        work: impl FnOnce(&mut Client) -> Result<R, postgres::Error>,
    ) -> Result<R, DatabaseError> {
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_none_or(Client::is_closed) {
            *slot = Some(self.target.connect()?);
        }
        let Some(client) = slot.as_mut() else {
            return Err(DatabaseError::Connect {
                server: self.target.server.clone(),
                what: "no connection".to_owned(),
            });
        };
        let result = work(client);
        if let Err(error) = &result
            && (error.is_closed() || client.is_closed())
        {
            *slot = None;
        }
        result.map_err(|error| self.target.query_error(&error))
    }

    /// Creates the row that makes a record exist (what making its folder is on the
    /// data folder).
    pub(crate) fn create_record(&self, folder: &str, id: &str) -> Result<bool, DatabaseError> {
        self.with_client(|client| {
            client.execute(
                "INSERT INTO records (kind, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&folder, &id],
            )
        })
        .map(|rows| rows == 1)
    }
}

impl Database {
    /// Claims a clinic id (normalized) for a patient unless it is claimed already, and
    /// returns the patient it belongs to.
    pub(crate) fn claim(
        &self,
        clinic_id: &str,
        patient: &PatientId,
    ) -> Result<PatientId, DatabaseError> {
        self.with_client(|client| {
            client.execute(
                "INSERT INTO clinic_ids (clinic_id, patient) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&clinic_id, &patient.as_str()],
            )
        })?;
        Ok(self
            .claim_holder(clinic_id)?
            .unwrap_or_else(|| patient.clone()))
    }

    /// The patient a clinic id (normalized) is claimed for.
    pub(crate) fn claim_holder(&self, clinic_id: &str) -> Result<Option<PatientId>, DatabaseError> {
        let row = self.with_client(|client| {
            client.query_opt(
                "SELECT patient FROM clinic_ids WHERE clinic_id = $1",
                &[&clinic_id],
            )
        })?;
        Ok(row.and_then(|row| row.get::<_, &str>(0).parse().ok()))
    }

    /// The ids of a kind's records, sorted.
    pub(crate) fn record_ids(&self, folder: &str) -> Result<Vec<String>, DatabaseError> {
        let rows = self.with_client(|client| {
            client.query(
                "SELECT record FROM records WHERE kind = $1 ORDER BY record",
                &[&folder],
            )
        })?;
        Ok(rows.iter().map(|row| row.get::<_, String>(0)).collect())
    }
}

fn io_error(error: &DatabaseError) -> io::Error {
    io::Error::other(error.to_string())
}

/// The location of a record on a server, for messages: `postgresql://server/plans/<id>`.
fn location(server: &str, folder: &str, id: &str) -> PathBuf {
    PathBuf::from(format!("postgresql://{server}/{folder}/{id}"))
}

impl Medium for Database {
    fn record_location(&self, folder: &str, id: &str) -> PathBuf {
        location(&self.target.server, folder, id)
    }

    fn read(&self, folder: &str, id: &str, entry: Entry<'_>) -> Result<Vec<u8>, ReadFailure> {
        let row = self
            .with_client(|client| match entry {
                Entry::Revision(number) => {
                    let number = i64::from(number);
                    client.query_opt(
                        "SELECT body FROM revisions WHERE kind = $1 AND record = $2 AND number = $3::bigint::integer",
                        &[&folder, &id, &number],
                    )
                }
                Entry::Head => client.query_opt(
                    "SELECT body FROM heads WHERE kind = $1 AND record = $2",
                    &[&folder, &id],
                ),
                Entry::Generated(sha256) => client.query_opt(
                    "SELECT body FROM generated WHERE kind = $1 AND record = $2 AND sha256 = $3",
                    &[&folder, &id, &sha256],
                ),
            })
            .map_err(|error| ReadFailure::Io(io_error(&error)))?;
        let Some(row) = row else {
            return Err(ReadFailure::Io(io::Error::from(io::ErrorKind::NotFound)));
        };
        let body: Vec<u8> = row.get(0);
        let limit = entry.kind().limit();
        let len = u64::try_from(body.len()).unwrap_or(u64::MAX);
        if len > limit {
            return Err(ReadFailure::TooLarge { len, limit });
        }
        Ok(body)
    }

    fn create(
        &self,
        folder: &str,
        id: &str,
        entry: Entry<'_>,
        bytes: &[u8],
    ) -> Result<(), NewFileError> {
        let inserted = self
            .with_client(|client| match entry {
                Entry::Revision(number) => {
                    let number = i64::from(number);
                    client.execute(
                        "INSERT INTO revisions (kind, record, number, body) VALUES ($1, $2, $3::bigint::integer, $4) ON CONFLICT DO NOTHING",
                        &[&folder, &id, &number, &bytes],
                    )
                }
                Entry::Head => client.execute(
                    "INSERT INTO heads (kind, record, number, body) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
                    &[&folder, &id, &bytes],
                ),
                Entry::Generated(sha256) => client.execute(
                    "INSERT INTO generated (kind, record, sha256, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&folder, &id, &sha256, &bytes],
                ),
            })
            .map_err(|error| NewFileError::Io(io_error(&error)))?;
        if inserted == 1 {
            Ok(())
        } else {
            Err(NewFileError::Exists)
        }
    }

    fn advance_head(&self, folder: &str, id: &str, number: u32, bytes: &[u8]) -> io::Result<()> {
        let number = i64::from(number);
        self.with_client(|client| {
            client.execute(
                "INSERT INTO heads (kind, record, number, body) VALUES ($1, $2, $3::bigint::integer, $4) \
                 ON CONFLICT (kind, record) DO UPDATE SET number = EXCLUDED.number, body = EXCLUDED.body \
                 WHERE heads.number < EXCLUDED.number",
                &[&folder, &id, &number, &bytes],
            )
        })
        .map(|_| ())
        .map_err(|error| io_error(&error))
    }

    fn create_records(&self, label: &str, records: &[NewRecord]) -> Result<Vec<bool>, StoreError> {
        let placed = self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let mut placed = Vec::with_capacity(records.len());
            for record in records {
                let made = transaction.execute(
                    "INSERT INTO records (kind, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&record.folder, &record.id],
                )? == 1;
                placed.push(made);
                if !made {
                    continue;
                }
                if let Some((sha256, body)) = &record.generated {
                    transaction.execute(
                        "INSERT INTO generated (kind, record, sha256, body) VALUES ($1, $2, $3, $4)",
                        &[&record.folder, &record.id, sha256, body],
                    )?;
                }
                transaction.execute(
                    "INSERT INTO revisions (kind, record, number, body) VALUES ($1, $2, 1, $3)",
                    &[&record.folder, &record.id, &record.revision],
                )?;
                transaction.execute(
                    "INSERT INTO heads (kind, record, number, body) VALUES ($1, $2, 1, $3)",
                    &[&record.folder, &record.id, &record.head],
                )?;
            }
            transaction.commit()?;
            Ok(placed)
        });
        placed.map_err(|error| StoreError::Write {
            record: label.to_owned(),
            file: PathBuf::from(format!("postgresql://{}", self.target.server)),
            cause: io::Error::other(error.to_string()),
        })
    }

    fn record_exists(&self, folder: &str, id: &str) -> io::Result<bool> {
        self.with_client(|client| {
            client.query_opt(
                "SELECT 1 FROM records WHERE kind = $1 AND record = $2",
                &[&folder, &id],
            )
        })
        .map(|row| row.is_some())
        .map_err(|error| io_error(&error))
    }

    fn revisions(&self, folder: &str, id: &str) -> io::Result<RevisionFiles> {
        if !self.record_exists(folder, id)? {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        let (numbers, generated) = self
            .with_client(|client| {
                let numbers = client.query(
                    "SELECT number::bigint FROM revisions WHERE kind = $1 AND record = $2 ORDER BY number",
                    &[&folder, &id],
                )?;
                let generated = client.query(
                    "SELECT sha256 FROM generated WHERE kind = $1 AND record = $2 ORDER BY sha256",
                    &[&folder, &id],
                )?;
                Ok((numbers, generated))
            })
            .map_err(|error| io_error(&error))?;
        let numbers = numbers
            .iter()
            .filter_map(|row| u32::try_from(row.get::<_, i64>(0)).ok())
            .collect();
        let generated = generated
            .iter()
            .map(|row| Entry::Generated(row.get::<_, &str>(0)).name())
            .collect();
        Ok(chain_of(
            &self.record_location(folder, id),
            numbers,
            Vec::new(),
            generated,
        ))
    }
}
