//! What a fake starts from and keeps: a seed (the default one, or a team's fixtures), a
//! state directory that survives restarts, and resets to the seed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Client, MemberRole, NewDatabase, NewInvite, TokenOptions};
use turso_platform_fake::{FakeTurso, Seed, SetupError};

use crate::common::{bounded, client_with};

const LIMIT: Duration = Duration::from_secs(20);

/// A directory of its own for a test, removed when it ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "turso-fake-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start_in(dir: &Path) -> FakeTurso {
    FakeTurso::builder()
        .state_dir(dir)
        .start()
        .await
        .expect("the fake starts on its state directory")
}

fn client(fake: &FakeTurso, token: &str) -> Client {
    client_with(fake, token)
}

#[tokio::test]
async fn everything_survives_a_restart_on_the_state_directory() {
    bounded(LIMIT, async {
        let dir = TempDir::new("restart");
        let fake = start_in(dir.path()).await;
        assert!(!fake.restored());
        let owner = client(&fake, fake.token());
        owner
            .create_database("fake-org", &NewDatabase::new("kept", "default"))
            .await
            .unwrap();
        let api_token = owner
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap();
        let database_token = owner
            .create_database_token("fake-org", "kept", &TokenOptions::new())
            .await
            .unwrap();
        let ana = fake.add_user("ana").unwrap();
        fake.add_member("fake-org", "ana", MemberRole::Viewer)
            .unwrap();
        owner
            .invite_organization_member_v2(
                "fake-org",
                &NewInvite::email("bob@example.com").role(MemberRole::Member),
            )
            .await
            .unwrap();
        let log_before = fake.audit_log("fake-org").unwrap();
        let token = fake.token().to_owned();
        drop(fake);

        let fake = start_in(dir.path()).await;
        assert!(fake.restored());
        assert_eq!(fake.token(), token, "the seeded token is the same");
        let owner = client(&fake, fake.token());
        assert_eq!(
            owner.get_database("fake-org", "kept").await.unwrap().name,
            "kept"
        );
        // Tokens minted before the restart work: the signing key was kept.
        let ci = client(&fake, api_token.token.expose_secret());
        assert_eq!(ci.current_user().await.unwrap().username, "fake-user");
        assert!(fake.database_token_is_valid(
            "fake-org",
            "kept",
            database_token.jwt.expose_secret()
        ));
        let ana = client(&fake, ana.expose_secret());
        assert_eq!(ana.current_user().await.unwrap().username, "ana");
        assert_eq!(
            owner
                .get_organization_member("fake-org", "ana")
                .await
                .unwrap()
                .role,
            "viewer"
        );
        let invites = owner
            .list_organization_invites_v2("fake-org")
            .await
            .unwrap();
        assert!(
            invites
                .iter()
                .any(|i| i.email.as_deref() == Some("bob@example.com"))
        );
        assert_eq!(fake.audit_log("fake-org").unwrap(), log_before);

        // New IDs never repeat old ones, and new tokens never collide with old ones.
        let again = owner
            .create_database("fake-org", &NewDatabase::new("after", "default"))
            .await
            .unwrap();
        let kept = owner.get_database("fake-org", "kept").await.unwrap();
        assert_ne!(again.db_id, kept.db_id);
    })
    .await
}

#[tokio::test]
async fn a_state_directory_serves_one_fake_at_a_time_and_is_released_when_it_stops() {
    bounded(LIMIT, async {
        let dir = TempDir::new("lock");
        let fake = start_in(dir.path()).await;
        let second = FakeTurso::builder().state_dir(dir.path()).start().await;
        let err = second.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ResourceBusy, "{err}");
        assert!(err.to_string().contains("in use by another"), "{err}");
        drop(fake);
        start_in(dir.path()).await;
    })
    .await
}

#[tokio::test]
async fn a_state_directory_it_cannot_read_stops_the_start_with_the_reason() {
    bounded(LIMIT, async {
        let dir = TempDir::new("unreadable");
        drop(start_in(dir.path()).await);
        let state = dir.path().join("state.json");
        for (content, reason) in [
            ("{not json", "not a state this turso-platform-fake can read"),
            (r#"{"format": 99, "state": {}}"#, "format 99"),
        ] {
            std::fs::write(&state, content).unwrap();
            let err = FakeTurso::builder()
                .state_dir(dir.path())
                .start()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
            assert!(err.to_string().contains(reason), "{err}");
            assert!(err.to_string().contains("state.json"), "{err}");
        }
    })
    .await
}

#[tokio::test]
async fn the_state_files_hold_secrets_and_are_private() {
    bounded(LIMIT, async {
        let dir = TempDir::new("private");
        let fake = start_in(dir.path()).await;
        fake.add_group("fake-org", "eu").unwrap();
        #[cfg(unix)]
        for name in ["seed.json", "state.json", "lock"] {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{name} is readable by others: {mode:o}");
        }
        // The state file does not hold the tokens themselves (only their IDs).
        let state = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
        assert!(!state.contains(fake.token()));
        assert!(!state.contains(fake.admin_token()));
    })
    .await
}

#[tokio::test]
async fn a_seed_describes_users_tokens_organizations_groups_and_databases() {
    bounded(LIMIT, async {
        let seed = Seed::parse(
            r#"
            [[users]]
            username = "ana"
            name = "Ana"
            tokens = ["ci", "deploy"]

            [[users]]
            username = "bob"

            [[organizations]]
            slug = "acme"
            owner = "ana"
            plan = "pro"
            members = [{ username = "bob", role = "viewer" }]

            [[organizations.groups]]
            name = "eu"
            location = "aws-eu-west-1"
            replicas = ["aws-us-east-1"]
            databases = ["orders", "users"]

            [[organizations]]
            slug = "bob"

            [[organizations.groups]]
            name = "default"
            databases = ["notes"]
            "#,
        )
        .unwrap();
        let fake = FakeTurso::builder().seed(seed).start().await.unwrap();
        assert_eq!(fake.seeded_token("ana", "ci"), Some(fake.token()));
        let ana = client(&fake, fake.token());
        assert_eq!(ana.current_user().await.unwrap().username, "ana");
        let deploy = client(&fake, fake.seeded_token("ana", "deploy").unwrap());
        assert_eq!(deploy.current_user().await.unwrap().username, "ana");
        let bob = client(&fake, fake.seeded_token("bob", "fake-token").unwrap());

        let organization = ana.get_organization("acme").await.unwrap();
        assert_eq!(organization.plan_id.as_deref(), Some("pro"));
        let group = ana.get_group("acme", "eu").await.unwrap();
        assert_eq!(group.primary.as_deref(), Some("aws-eu-west-1"));
        assert_eq!(group.locations, ["aws-eu-west-1", "aws-us-east-1"]);
        let mut databases: Vec<_> = ana
            .list_databases("acme", &Default::default())
            .await
            .unwrap()
            .into_iter()
            .map(|db| db.name)
            .collect();
        databases.sort();
        assert_eq!(databases, ["orders", "users"]);
        assert_eq!(
            ana.get_organization_member("acme", "bob")
                .await
                .unwrap()
                .role,
            "viewer"
        );
        // Bob's personal organization holds his database.
        assert_eq!(
            bob.get_database("bob", "notes").await.unwrap().name,
            "notes"
        );
        // No fake-user or fake-org: the seed is the whole state.
        assert!(ana.get_organization("fake-org").await.is_err());
        // Setup adds organizations for the seed's first user.
        fake.add_organization("more").unwrap();
        assert_eq!(ana.get_organization("more").await.unwrap().slug, "more");
    })
    .await
}

#[tokio::test]
async fn a_reset_returns_to_the_seed_and_no_token_from_before_opens_anything_new() {
    bounded(LIMIT, async {
        let dir = TempDir::new("reset");
        let fake = start_in(dir.path()).await;
        let owner = client(&fake, fake.token());
        let before = owner
            .create_database("fake-org", &NewDatabase::new("scratch", "default"))
            .await
            .unwrap();
        let minted = owner
            .create_api_token("temporary", &ApiTokenOptions::new())
            .await
            .unwrap();
        let seeded_db_token = owner
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        fake.add_user("ana").unwrap();

        fake.reset().unwrap();
        assert!(owner.get_database("fake-org", "scratch").await.is_err());
        assert!(owner.get_database("fake-org", "fake-db").await.is_ok());
        assert!(
            client(&fake, minted.token.expose_secret())
                .current_user()
                .await
                .is_err(),
            "a token minted after the seed is gone"
        );
        assert!(
            !fake.database_token_is_valid(
                "fake-org",
                "fake-db",
                seeded_db_token.jwt.expose_secret()
            ),
            "database tokens minted before a reset are invalid"
        );
        assert!(matches!(
            fake.add_member("fake-org", "ana", MemberRole::Member),
            Err(SetupError::UnknownUser(_))
        ));
        assert!(fake.audit_log("fake-org").unwrap().is_empty());
        // A database created again gets a new ID.
        let after = owner
            .create_database("fake-org", &NewDatabase::new("scratch", "default"))
            .await
            .unwrap();
        assert_ne!(before.db_id, after.db_id);
        // And a restart finds the state after the reset.
        drop(fake);
        let fake = start_in(dir.path()).await;
        let owner = client(&fake, fake.token());
        assert_eq!(
            owner
                .get_database("fake-org", "scratch")
                .await
                .unwrap()
                .db_id,
            after.db_id
        );
    })
    .await
}

/// A long run holds steady memory: a user holds at most 1,000 platform API tokens (the
/// audit log's bound is a unit test of the model).
#[tokio::test]
async fn a_user_holds_at_most_a_thousand_api_tokens() {
    bounded(Duration::from_secs(60), async {
        let fake = crate::common::start().await;
        let owner = client(&fake, fake.token());
        // The seeded token is one of them.
        for i in 1..1_000 {
            owner
                .create_api_token(&format!("t{i}"), &ApiTokenOptions::new())
                .await
                .unwrap();
        }
        let err = owner
            .create_api_token("one-too-many", &ApiTokenOptions::new())
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
        assert!(err.to_string().contains("revoke one first"), "{err}");
        owner.revoke_api_token("t1").await.unwrap();
        owner
            .create_api_token("one-too-many", &ApiTokenOptions::new())
            .await
            .unwrap();
    })
    .await
}

/// A link planted where the fake writes its files is removed, never written through.
#[cfg(unix)]
#[tokio::test]
async fn a_link_planted_in_the_state_directory_is_not_followed() {
    bounded(LIMIT, async {
        let dir = TempDir::new("link");
        let fake = start_in(dir.path()).await;
        let outside = TempDir::new("outside");
        std::fs::create_dir_all(outside.path()).unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("state.json.tmp")).unwrap();
        fake.add_group("fake-org", "eu").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        drop(fake);
        let fake = start_in(dir.path()).await;
        assert!(fake.client().get_group("fake-org", "eu").await.is_ok());
        drop(fake);
        // Nor is a link in place of the lock file: the start is refused, naming it, and
        // nothing is made where it points.
        let lock = dir.path().join("lock");
        std::fs::remove_file(&lock).unwrap();
        let target = outside.path().join("made-through-the-link");
        std::os::unix::fs::symlink(&target, &lock).unwrap();
        let error = FakeTurso::builder()
            .state_dir(dir.path())
            .start()
            .await
            .expect_err("a link for a lock file is refused");
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert!(!target.exists());
    })
    .await
}
