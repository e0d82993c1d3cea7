//! The test PostgreSQL: locating the shared cluster `scripts/setup` starts, a fresh database
//! per test, a private cluster a test may stop and restart, and a TCP proxy that simulates
//! the network going away.
//!
//! Tests that need PostgreSQL fail (never skip) when it is missing, with a message saying
//! to run `scripts/setup`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_runtime::adapter::{Adapter, PostgresAdapter};
use sqlx::Connection as _;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// The variable `scripts/setup.d/40-postgres.sh` exports: the shared cluster's admin URL.
pub const DATABASE_URL_VAR: &str = "AUTH_TEST_DATABASE_URL";
/// The variable naming the PostgreSQL server binaries (`initdb`, `pg_ctl`).
pub const PG_BIN_VAR: &str = "AUTH_TEST_PG_BIN";

const HOW_TO_FIX: &str = "run `scripts/setup` (it installs PostgreSQL and starts the test cluster), \
     then `source scripts/setup.d/40-postgres.sh` in this shell or use `scripts/test`";

/// The shared cluster's admin URL. Panics (failing the test) with instructions when unset.
pub fn admin_url() -> String {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!("{DATABASE_URL_VAR} is not set: this test needs PostgreSQL; {HOW_TO_FIX}"),
    }
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // postgres://user:pw@host:port/db : the path starts at the first '/' after "//".
    let after_scheme = base.find("//").map_or(0, |i| i + 2);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{database}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{}_{}_{:08x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

async fn admin_connection(url: &str) -> sqlx::PgConnection {
    match tokio::time::timeout(Duration::from_secs(15), sqlx::PgConnection::connect(url)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!("cannot connect to the test PostgreSQL ({e}); {HOW_TO_FIX}"),
        Err(_) => panic!("connecting to the test PostgreSQL timed out; {HOW_TO_FIX}"),
    }
}

/// A database of its own on the shared cluster, for one test. Call [`TestDatabase::drop_database`]
/// at the end (a failed test leaves it behind; names are unique, the cluster is throwaway).
#[derive(Debug)]
pub struct TestDatabase {
    /// URL of the new database.
    pub url: String,
    /// Its name.
    pub name: String,
    admin: String,
}

impl TestDatabase {
    /// Creates `authrs_<label>_<unique>` on the shared cluster.
    pub async fn create(label: &str) -> TestDatabase {
        let admin = admin_url();
        let name = format!("authrs_{label}_{}", unique_suffix());
        let mut conn = admin_connection(&admin).await;
        if let Err(e) = sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
        {
            panic!("cannot create test database {name}: {e}");
        }
        let _ = conn.close().await;
        TestDatabase {
            url: with_database(&admin, &name),
            name,
            admin,
        }
    }

    /// Drops the database (closing anything still connected).
    pub async fn drop_database(self) {
        let mut conn = admin_connection(&self.admin).await;
        if let Err(e) = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        {
            panic!("cannot drop test database {}: {e}", self.name);
        }
        let _ = conn.close().await;
    }
}

impl crate::Cleanup for TestDatabase {
    async fn cleanup(self) {
        self.drop_database().await;
    }
}

/// A [`PostgresAdapter`] on a fresh database: the `make` of the PostgreSQL suites.
pub async fn adapter(label: &str) -> (Arc<dyn Adapter>, TestDatabase) {
    let database = TestDatabase::create(label).await;
    let db = PostgresAdapter::connect(&database.url)
        .await
        .expect("connect to test database");
    (Arc::new(db), database)
}

/// A TCP proxy on loopback in front of a server, to simulate the database going away:
/// [`FaultProxy::stop`] cuts every open connection and refuses new ones (server down);
/// [`FaultProxy::freeze`] keeps connections open but forwards nothing and answers no new
/// ones (a black-holed network: no reset, no answer); [`FaultProxy::start`] /
/// [`FaultProxy::thaw`] undo them.
pub struct FaultProxy {
    addr: SocketAddr,
    target: SocketAddr,
    state: Arc<Mutex<ProxyState>>,
    frozen: tokio::sync::watch::Sender<bool>,
}

#[derive(Default)]
struct ProxyState {
    acceptor: Option<JoinHandle<()>>,
    connections: Vec<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy to `target` on a free loopback port.
    pub async fn start_to(target: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let proxy = FaultProxy {
            addr: listener.local_addr()?,
            target,
            state: Arc::new(Mutex::new(ProxyState::default())),
            frozen: tokio::sync::watch::Sender::new(false),
        };
        proxy.run(listener);
        Ok(proxy)
    }

    /// The proxy's own address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Cuts every proxied connection and stops listening.
    pub fn stop(&self) {
        let mut state = lock(&self.state);
        if let Some(acceptor) = state.acceptor.take() {
            acceptor.abort();
        }
        for conn in state.connections.drain(..) {
            conn.abort();
        }
    }

    /// Listens again on the same port.
    pub fn start(&self) -> std::io::Result<()> {
        let listener = bind(self.addr)?;
        self.run(listener);
        Ok(())
    }

    /// Stops forwarding without closing anything: requests get no answer.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Ends a freeze: the frozen connections are closed, new ones are forwarded again.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    fn run(&self, listener: TcpListener) {
        let state = Arc::clone(&self.state);
        let target = self.target;
        let frozen = self.frozen.subscribe();
        let acceptor = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let mut frozen = frozen.clone();
                let conn = tokio::spawn(async move {
                    let is_frozen = *frozen.borrow();
                    if is_frozen {
                        // Black hole: hold the socket silently until thawed, then close it.
                        let _ = frozen.wait_for(|f| !*f).await.map(|_| ());
                        return;
                    }
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    let froze = tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => false,
                        r = frozen.wait_for(|f| *f) => r.is_ok(),
                    };
                    if froze {
                        // Hold both sockets, forwarding nothing, until thawed.
                        let _ = frozen.wait_for(|f| !*f).await.map(|_| ());
                    }
                });
                let mut state = lock(&state);
                state.connections.retain(|c| !c.is_finished());
                state.connections.push(conn);
            }
        });
        lock(&self.state).acceptor = Some(acceptor);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock(state: &Mutex<ProxyState>) -> std::sync::MutexGuard<'_, ProxyState> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(128)
}

/// The `host:port` of a `postgres://` URL.
pub fn url_addr(url: &str) -> SocketAddr {
    let rest = url.split_once("//").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match hostport.parse() {
        Ok(addr) => addr,
        Err(_) => panic!("the test database URL must name an IP address and a port"),
    }
}

/// `url` pointing at another address (same credentials and database).
pub fn with_addr(url: &str, addr: SocketAddr) -> String {
    let old = url_addr(url).to_string();
    url.replacen(&old, &addr.to_string(), 1)
}

/// A private PostgreSQL cluster for one test, which the test may stop and start (the
/// shared cluster must stay up for the others). Uses the binaries of [`PG_BIN_VAR`],
/// runs as the `postgres` user when the test runs as root, trusts loopback connections,
/// and is deleted on drop.
pub struct PrivateCluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivateCluster {
    /// Creates and starts a cluster on a free loopback port.
    pub fn start() -> PrivateCluster {
        let bin = match std::env::var(PG_BIN_VAR) {
            Ok(b) if !b.is_empty() => PathBuf::from(b),
            _ => panic!(
                "{PG_BIN_VAR} is not set: this test runs a PostgreSQL cluster of its own; {HOW_TO_FIX}"
            ),
        };
        let port = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
            Ok(addr) => addr.port(),
            Err(e) => panic!("no free port: {e}"),
        };
        let data = std::env::temp_dir().join(format!("authrs-private-pg-{}", unique_suffix()));
        let as_postgres = is_root();
        let cluster = PrivateCluster {
            bin,
            data,
            port,
            as_postgres,
        };
        if let Err(e) = std::fs::create_dir_all(&cluster.data) {
            panic!("cannot create {}: {e}", cluster.data.display());
        }
        if as_postgres {
            cluster.run_plain("chown", &["postgres:postgres".into(), cluster.data_arg()]);
        }
        cluster.run_pg(
            "initdb",
            &[
                "-D".into(),
                cluster.data_arg(),
                "-U".into(),
                "postgres".into(),
                "--auth=trust".into(),
                "-E".into(),
                "UTF8".into(),
                "--locale=C".into(),
                "--no-sync".into(),
            ],
        );
        cluster.resume();
        cluster
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (`pg_ctl stop -m fast`: open sessions get "terminating connection
    /// due to administrator command", as in a real restart).
    pub fn halt(&self) {
        self.run_pg(
            "pg_ctl",
            &[
                "-D".into(),
                self.data_arg(),
                "-m".into(),
                "fast".into(),
                "-w".into(),
                "stop".into(),
            ],
        );
    }

    /// Starts the server again (waits until it accepts connections).
    pub fn resume(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.data.display()
        );
        self.run_pg(
            "pg_ctl",
            &[
                "-D".into(),
                self.data_arg(),
                "-l".into(),
                self.data.join("server.log").display().to_string(),
                "-w".into(),
                "-t".into(),
                "60".into(),
                "-o".into(),
                opts,
                "start".into(),
            ],
        );
    }

    fn data_arg(&self) -> String {
        self.data.display().to_string()
    }

    fn run_pg(&self, tool: &str, args: &[String]) {
        let exe = self.bin.join(tool).display().to_string();
        let status = if self.as_postgres {
            let mut all = vec!["-u".to_owned(), "postgres".to_owned(), "--".to_owned(), exe];
            all.extend_from_slice(args);
            Command::new("runuser").args(&all).output()
        } else {
            Command::new(&exe).args(args).output()
        };
        match status {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!("cannot run {tool}: {e}; {HOW_TO_FIX}"),
        }
    }

    fn run_plain(&self, cmd: &str, args: &[String]) {
        match Command::new(cmd).args(args).status() {
            Ok(s) if s.success() => {}
            other => panic!("{cmd} failed: {other:?}"),
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl").display().to_string();
        let data = self.data_arg();
        let args = ["-D", &data, "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--", &exe])
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        };
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
