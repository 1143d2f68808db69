//! A real PostgreSQL server for the tests, never a mock.
//!
//! With `REGEN_PLANNER_TEST_DATABASE_URL` set, each test gets a fresh database made on
//! that server (the URL's user must be allowed to create databases), dropped at the end.
//! Otherwise, when PostgreSQL's programs are found (`initdb` on the `PATH`, or in
//! `/usr/lib/postgresql/*/bin`), each test starts a throwaway cluster of its own: `initdb`
//! into a temporary folder and `pg_ctl start` listening only on a Unix socket in that
//! folder, stopped and removed when the test ends. PostgreSQL refuses to run as root,
//! so as root the cluster is made and run as the user `nobody`.
//!
//! When there is no server, the test says SKIPPED loudly, unless
//! `REGEN_PLANNER_TEST_DATABASE=required` (as CI sets it), when it fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database for one test, removed at its end.
pub struct TestDatabase {
    /// The URL to open it with.
    pub url: String,
    cluster: Option<Cluster>,
    dropped_on: Option<(String, String)>,
}

impl TestDatabase {
    /// Stops the test's own server (fast shutdown); `false` when the server is not the
    /// test's own (`REGEN_PLANNER_TEST_DATABASE_URL`).
    pub fn stop_server(&self) -> bool {
        let Some(cluster) = &self.cluster else {
            return false;
        };
        let stopped = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(cluster.dir.path().join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .unwrap();
        assert!(
            stopped.status.success(),
            "{}",
            String::from_utf8_lossy(&stopped.stderr)
        );
        true
    }

    /// Starts the test's own server again after [`TestDatabase::stop_server`].
    pub fn start_server(&self) {
        let cluster = self.cluster.as_ref().unwrap();
        cluster.pg_ctl_start().unwrap();
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.dropped_on
            && let Ok(mut client) = postgres::Client::connect(admin_url, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
        drop(self.cluster.take());
    }
}

/// A throwaway cluster in a temporary folder.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_nobody: bool,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_nobody {
            let mut command = Command::new("runuser");
            command.args(["-u", "nobody", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn start() -> Result<Cluster, String> {
        let bin = postgres_bin().ok_or("PostgreSQL's initdb was not found")?;
        let dir = tempfile::Builder::new()
            .prefix("regen-pg-")
            .tempdir()
            .map_err(|error| error.to_string())?;
        let as_nobody = is_root();
        if as_nobody {
            let (uid, gid) = nobody().ok_or("there is no user nobody to run PostgreSQL as")?;
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .map_err(|error| error.to_string())?;
        }
        let cluster = Cluster {
            dir,
            bin,
            as_nobody,
        };
        let data = cluster.dir.path().join("data");
        let init = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .output()
            .map_err(|error| format!("initdb could not be started: {error}"))?;
        if !init.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&init.stderr)
            ));
        }
        cluster.pg_ctl_start()?;
        Ok(cluster)
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let data = self.dir.path().join("data");
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c full_page_writes=off",
            self.dir.path().display()
        );
        let start = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(options)
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .args(["-w", "-t", "30", "start"])
            .output()
            .map_err(|error| format!("pg_ctl could not be started: {error}"))?;
        if !start.status.success() {
            let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
            return Err(format!(
                "pg_ctl start failed: {}{log}",
                String::from_utf8_lossy(&start.stderr)
            ));
        }
        Ok(())
    }

    fn url(&self, database: &str) -> String {
        socket_url(self.dir.path(), database)
    }
}

/// The URL of a database on a server listening on a socket in `dir`.
fn socket_url(dir: &Path, database: &str) -> String {
    format!(
        "postgresql://postgres@/{database}?host={}",
        dir.display().to_string().replace('/', "%2F")
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn nobody() -> Option<(u32, u32)> {
    let id = |flag: &str| {
        Command::new("id")
            .args([flag, "nobody"])
            .output()
            .ok()
            .and_then(|output| String::from_utf8_lossy(&output.stdout).trim().parse().ok())
    };
    Some((id("-u")?, id("-g")?))
}

/// The folder of PostgreSQL's programs.
fn postgres_bin() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

/// Whether a missing server must fail the test (CI) rather than skip it.
fn required() -> bool {
    std::env::var("REGEN_PLANNER_TEST_DATABASE").is_ok_and(|value| value == "required")
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database (no schema) for one test, or `None` (said loudly) when no
/// server can be had and it is not required.
pub fn empty_database(test: &str) -> Option<TestDatabase> {
    if let Ok(url) = std::env::var("REGEN_PLANNER_TEST_DATABASE_URL") {
        let name = format!(
            "regen_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|error| panic!("REGEN_PLANNER_TEST_DATABASE_URL: {error}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|error| panic!("could not create a test database: {error}"));
        let test_url = with_database(&url, &name);
        return Some(TestDatabase {
            url: test_url,
            cluster: None,
            dropped_on: Some((url, name)),
        });
    }
    match Cluster::start() {
        Ok(cluster) => Some(TestDatabase {
            url: cluster.url("postgres"),
            cluster: Some(cluster),
            dropped_on: None,
        }),
        Err(why) if required() => panic!("no PostgreSQL server for {test}: {why}"),
        Err(why) => {
            #[allow(clippy::print_stderr, reason = "a skipped test must say so")]
            {
                eprintln!("SKIPPED on PostgreSQL: {test}: {why}");
            }
            None
        }
    }
}

/// A fresh database with the app's schema.
pub fn database(test: &str) -> Option<TestDatabase> {
    let database = empty_database(test)?;
    regen_planner::store::init_database(&database.url).unwrap();
    Some(database)
}

/// `url` naming the database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |at| at + 3);
    let path_at = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |at| after_scheme + at);
    let mut result = format!("{}/{name}", &base[..path_at]);
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

/// A client on a test database, to change it behind the app's back.
pub fn client(database: &TestDatabase) -> postgres::Client {
    postgres::Client::connect(&database.url, postgres::NoTls).unwrap()
}
