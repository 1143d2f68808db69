//! The password of a database URL from the standard password file, as PostgreSQL's own
//! tools find it: `PGPASSFILE`, else `~/.pgpass`, used only when no one but its owner may
//! read it (mode 0600). Lines are `host:port:database:user:password`, `*` matches
//! anything, `\:` and `\\` stand for `:` and `\`, and the first matching line wins.
//! No password is ever written by the app.

use std::path::PathBuf;

/// The password file's location.
fn password_file() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(file));
    }
    directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".pgpass"))
}

/// The password for a connection, if the password file has one.
pub(crate) fn lookup(host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let file = password_file()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(&file).ok()?;
        if !meta.is_file() {
            return None;
        }
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "the password file {} may be read by others, so it was not used; make it readable only by you (chmod 0600)",
                file.display()
            );
            return None;
        }
    }
    // A password file is a few lines; anything larger was not written for this.
    let text =
        super::fsio::with_small_file(&file, |bytes| String::from_utf8_lossy(bytes).into_owned())?;
    find(&text, host, port, database, user)
}

/// The first line of a password file's text that matches.
pub(crate) fn find(
    text: &str,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Option<String> {
    // A Unix socket is "localhost" in the password file.
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split(line);
        let [h, p, d, u, password] = fields.as_slice() else {
            continue;
        };
        let matches = |field: &str, value: &str| field == "*" || field == value;
        if matches(h, host) && matches(p, &port) && matches(d, database) && matches(u, user) {
            return Some(password.clone());
        }
    }
    None
}

/// A line's fields, with `\:` and `\\` undone.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(field) = fields.last_mut()
                {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_line_gives_the_password() {
        let text = "# clinic\nother:5432:regen:regen:nope\n*:5432:regen:regen:s\\:cret\\\\x\n*:*:*:*:fallback\n";
        assert_eq!(
            find(text, "db.clinic.local", 5432, "regen", "regen").as_deref(),
            Some("s:cret\\x")
        );
        assert_eq!(
            find(text, "db", 6432, "regen", "regen").as_deref(),
            Some("fallback")
        );
        assert_eq!(find("a:b:c", "a", 1, "c", "d"), None);
    }

    #[test]
    fn a_socket_counts_as_localhost() {
        assert_eq!(
            find(
                "localhost:5432:db:me:pw\n",
                "/run/postgresql",
                5432,
                "db",
                "me"
            )
            .as_deref(),
            Some("pw")
        );
    }
}
