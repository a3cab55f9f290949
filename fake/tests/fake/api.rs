//! End-to-end tests of the fake Turso Platform API (the fake) through the
//! public `Client`: every operation, and every failure the fake answers with.
//!
//! Raw HTTP (what the client never sends) and the standalone binary are tested in
//! `http`. Everything here talks to 127.0.0.1 only, and every test bounds
//! its own time.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::bounded;
use crate::common::{assert_api_error, client_with, start};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use turso_platform::MemberRole;
use turso_platform::secrecy::ExposeSecret;
use turso_platform::{ApiTokenOptions, Authorization, Error, Expiration, Scope, TokenOptions};
use turso_platform_fake::{FakeTurso, SetupError};

/// The time each test is given.
const LIMIT: Duration = Duration::from_secs(20);

/// The decoded header and claims of a JWT.
fn jwt_parts(jwt: &str) -> (Value, Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 64);
    (decode(parts[0]), decode(parts[1]))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn expiration(text: &str) -> TokenOptions {
    TokenOptions::new().expiration(text.parse::<Expiration>().unwrap())
}

#[tokio::test]
async fn the_seeded_user_and_token_answer_validate_and_current_user() {
    bounded(LIMIT, async {
        let fake = start().await;
        assert!(fake.base_url().starts_with("http://127.0.0.1:"));
        let client = fake.client();
        assert_eq!(client.base_url(), fake.base_url());

        let validity = client.validate_api_token().await.unwrap();
        assert_eq!(validity.expires_at, None, "API tokens never expire");

        let user = client.current_user().await.unwrap();
        assert_eq!(user.username, turso_platform_fake::USERNAME);
        assert_eq!(user.username, "fake-user");
        assert_eq!(user.email.as_deref(), Some("fake-user@example.com"));
        assert!(user.name.is_some() && user.avatar_url.is_some() && user.plan.is_some());
        // Every user of the fake uses MFA, so that an organization may require it.
        assert_eq!(
            (user.mfa, user.has_pending_invites),
            (Some(true), Some(false))
        );

        let tokens = client.list_api_tokens().await.unwrap();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].name, turso_platform_fake::SEEDED_TOKEN_NAME);
        assert_eq!(
            tokens[0].organization, None,
            "the seeded token is unrestricted"
        );
        assert_eq!(tokens[0].created_at.as_ref().map(String::len), Some(10));
        assert!(
            client
                .list_organization_api_tokens("fake-org")
                .await
                .unwrap()
                .is_empty(),
            "unrestricted tokens are not organization tokens"
        );
    })
    .await
}

#[tokio::test]
async fn api_tokens_are_minted_once_listed_without_secrets_and_revoked() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = fake.client();

        let free = client
            .create_api_token("laptop", &ApiTokenOptions::new())
            .await
            .unwrap();
        let org = client
            .create_api_token("ci", &ApiTokenOptions::new().organization("fake-org"))
            .await
            .unwrap();
        let group = client
            .create_api_token(
                "provisioner",
                &ApiTokenOptions::new()
                    .organization("fake-org")
                    .group("default")
                    .scopes([Scope::ReadOnly, Scope::DbMintToken]),
            )
            .await
            .unwrap();
        let all = client
            .create_api_token(
                "admin",
                &ApiTokenOptions::new()
                    .organization("fake-org")
                    .group("default")
                    .scopes([Scope::FullAccess]),
            )
            .await
            .unwrap();
        assert_eq!((free.name.as_str(), org.name.as_str()), ("laptop", "ci"));
        let ids: HashSet<&str> = [&free, &org, &group, &all]
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids.len(), 4, "IDs are unique");

        // Each minted token is a working platform API token.
        for created in [&free, &org, &group, &all] {
            let own = client_with(&fake, created.token.expose_secret());
            assert_eq!(own.validate_api_token().await.unwrap().expires_at, None);
        }

        let listed = client.list_api_tokens().await.unwrap();
        let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["fake-token", "laptop", "ci", "provisioner", "admin"],
            "oldest first"
        );
        let by_name = |name: &str| listed.iter().find(|t| t.name == name).unwrap();
        assert_eq!(by_name("laptop").organization, None);
        assert_eq!(by_name("ci").organization.as_deref(), Some("fake-org"));
        assert_eq!(by_name("ci").group, None);
        assert!(by_name("ci").scopes.is_empty());
        assert_eq!(by_name("provisioner").group.as_deref(), Some("default"));
        assert_eq!(by_name("provisioner").scopes, ["read", "db:mint-token"]);
        let every_scope: Vec<&str> = Scope::ALL
            .iter()
            .filter(|s| !matches!(s, Scope::ReadOnly | Scope::FullAccess))
            .map(|s| s.as_str())
            .collect();
        assert_eq!(
            by_name("admin").scopes,
            every_scope,
            "full-access is expanded"
        );
        assert_eq!(by_name("ci").id, org.id);
        let shown = format!("{listed:?}");
        for created in [&free, &org, &group, &all] {
            assert!(!shown.contains(created.token.expose_secret()));
        }

        // Names are unique per user.
        assert_api_error(
            client.create_api_token("ci", &ApiTokenOptions::new()).await,
            409,
            "a token with name ci already exists",
        );

        // Revoked: refused from then on, and gone from the list.
        assert_eq!(client.revoke_api_token("ci").await.unwrap(), "ci");
        let revoked = client_with(&fake, org.token.expose_secret());
        assert_api_error(revoked.validate_api_token().await, 401, "revoked");
        assert_api_error(revoked.current_user().await, 401, "revoked");
        assert_api_error(revoked.list_api_tokens().await, 401, "revoked");
        assert!(
            !client
                .list_api_tokens()
                .await
                .unwrap()
                .iter()
                .any(|t| t.name == "ci")
        );
        assert_api_error(client.revoke_api_token("ci").await, 404, "ci");
        assert_api_error(
            client.revoke_api_token("never-minted").await,
            404,
            "never-minted",
        );

        // The name is free again.
        client
            .create_api_token("ci", &ApiTokenOptions::new())
            .await
            .unwrap();
    })
    .await
}

#[tokio::test]
async fn scoped_mints_need_an_existing_organization_and_group_and_a_role() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = fake.client();
        assert_api_error(
            client
                .create_api_token("a", &ApiTokenOptions::new().organization("nope"))
                .await,
            404,
            "nope",
        );
        let group_scoped = |org: &str, group: &str| {
            ApiTokenOptions::new()
                .organization(org)
                .group(group)
                .scopes([Scope::Read])
        };
        assert_api_error(
            client
                .create_api_token("b", &group_scoped("fake-org", "nope"))
                .await,
            404,
            "group not found",
        );
        assert_api_error(
            client
                .create_api_token("c", &group_scoped("nope", "default"))
                .await,
            404,
            "nope",
        );

        fake.add_organization_with_role("theirs", MemberRole::Member)
            .unwrap();
        fake.add_group("theirs", "default").unwrap();
        assert_api_error(
            client
                .create_api_token("d", &group_scoped("theirs", "default"))
                .await,
            403,
            "only admins and owners",
        );
        client
            .create_api_token("e", &ApiTokenOptions::new().organization("theirs"))
            .await
            .expect("members may mint organization-scoped tokens");
        fake.add_organization_with_role("admined", MemberRole::Admin)
            .unwrap();
        fake.add_group("admined", "default").unwrap();
        client
            .create_api_token("f", &group_scoped("admined", "default"))
            .await
            .expect("admins may mint group-scoped tokens");
        // Refused mints leave nothing behind.
        let names: Vec<String> = client
            .list_api_tokens()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["fake-token", "e", "f"]);
    })
    .await
}

#[tokio::test]
async fn organization_tokens_are_listed_and_revoked_by_id() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        let client = fake.client();
        client
            .create_api_token("unrestricted", &ApiTokenOptions::new())
            .await
            .unwrap();
        let org = client
            .create_api_token("org", &ApiTokenOptions::new().organization("fake-org"))
            .await
            .unwrap();
        let group = client
            .create_api_token(
                "group",
                &ApiTokenOptions::new()
                    .organization("fake-org")
                    .group("default")
                    .scopes([Scope::DbMintToken]),
            )
            .await
            .unwrap();
        let other = client
            .create_api_token("acme-token", &ApiTokenOptions::new().organization("acme"))
            .await
            .unwrap();

        let listed = client
            .list_organization_api_tokens("fake-org")
            .await
            .unwrap();
        let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, [org.id.as_str(), group.id.as_str()]);
        for token in &listed {
            assert_eq!(token.organization.as_deref(), Some("fake-org"));
            let owner = token.owner.as_ref().unwrap();
            assert_eq!(owner.username.as_deref(), Some("fake-user"));
            assert!(token.created_at.is_some());
        }
        assert_eq!(listed[1].group.as_deref(), Some("default"));
        assert_eq!(listed[1].scopes, ["db:mint-token"]);
        assert_eq!(listed[0].group, None);
        assert_eq!(
            client.list_organization_api_tokens("acme").await.unwrap()[0].id,
            other.id
        );
        assert_api_error(
            client.list_organization_api_tokens("nope").await,
            404,
            "nope",
        );

        // Revoke by ID: answered with the ID, refused from then on.
        assert_eq!(
            client
                .revoke_organization_api_token("fake-org", &group.id)
                .await
                .unwrap(),
            group.id
        );
        assert_api_error(
            client_with(&fake, group.token.expose_secret())
                .validate_api_token()
                .await,
            401,
            "revoked",
        );
        assert_eq!(
            client
                .list_organization_api_tokens("fake-org")
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            !client
                .list_api_tokens()
                .await
                .unwrap()
                .iter()
                .any(|t| t.id == group.id)
        );
        // Again, another organization's token, an unknown ID, an unknown organization.
        assert_api_error(
            client
                .revoke_organization_api_token("fake-org", &group.id)
                .await,
            404,
            &group.id,
        );
        assert_api_error(
            client
                .revoke_organization_api_token("fake-org", &other.id)
                .await,
            404,
            &other.id,
        );
        assert_api_error(
            client
                .revoke_organization_api_token("fake-org", "no-such-id")
                .await,
            404,
            "no-such-id",
        );
        assert_api_error(
            client.revoke_organization_api_token("nope", &org.id).await,
            404,
            "nope",
        );
        client_with(&fake, other.token.expose_secret())
            .validate_api_token()
            .await
            .expect("the other organization's token was not revoked");
    })
    .await
}

#[tokio::test]
async fn database_tokens_are_eddsa_jwts_with_the_asked_claims() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = fake.client();

        let before = now_secs();
        let token = client
            .create_database_token(
                "fake-org",
                "fake-db",
                &expiration("1h").authorization(Authorization::ReadOnly),
            )
            .await
            .unwrap();
        let jwt = token.jwt.expose_secret();
        let (header, claims) = jwt_parts(jwt);
        assert_eq!(header, serde_json::json!({"alg": "EdDSA", "typ": "JWT"}));
        assert_eq!(claims["a"], "ro");
        let iat = claims["iat"].as_u64().unwrap();
        assert!(iat >= before && iat <= now_secs());
        let exp = claims["exp"].as_u64().unwrap();
        assert!(exp > iat + 3599 && exp <= iat + 3601, "{iat} {exp}");
        assert_eq!(
            token.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(exp))
        );
        assert!(fake.database_token_is_valid("fake-org", "fake-db", jwt));

        let default = client
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        let (_, claims) = jwt_parts(default.jwt.expose_secret());
        assert_eq!(claims["a"], "rw", "full access by default");
        assert!(claims.get("exp").is_none(), "never expires by default");
        assert_eq!(default.expires_at(), None);

        let never = client
            .create_database_token(
                "fake-org",
                "fake-db",
                &TokenOptions::new()
                    .expiration(Expiration::Never)
                    .authorization(Authorization::FullAccess),
            )
            .await
            .unwrap();
        let (_, claims) = jwt_parts(never.jwt.expose_secret());
        assert!(claims.get("exp").is_none());
        assert_eq!(claims["a"], "rw");

        let attach = client
            .create_database_token(
                "fake-org",
                "fake-db",
                &TokenOptions::new().read_attach(["fake-db"]),
            )
            .await
            .unwrap();
        let (_, claims) = jwt_parts(attach.jwt.expose_secret());
        assert_eq!(claims["p"]["roa"]["ns"].as_array().unwrap().len(), 1);
        assert_api_error(
            client
                .create_database_token(
                    "fake-org",
                    "fake-db",
                    &TokenOptions::new().read_attach(["missing"]),
                )
                .await,
            404,
            "could not find database with name missing: record not found",
        );
    })
    .await
}

#[tokio::test]
async fn database_token_validity_checks_signature_database_and_kind() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_database("fake-org", "default", "other-db")
            .unwrap();
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "default").unwrap();
        fake.add_database("acme", "default", "fake-db").unwrap();
        let client = fake.client();
        let token = client
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        let jwt = token.jwt.expose_secret();
        assert!(fake.database_token_is_valid("fake-org", "fake-db", jwt));
        assert!(!fake.database_token_is_valid("fake-org", "other-db", jwt));
        assert!(
            !fake.database_token_is_valid("acme", "fake-db", jwt),
            "same name, another organization"
        );
        assert!(!fake.database_token_is_valid("nope", "fake-db", jwt));
        assert!(!fake.database_token_is_valid("fake-org", "nope", jwt));

        // Tampered claims, another fake's signature, garbage, an API token.
        let parts: Vec<&str> = jwt.split('.').collect();
        let (_, mut claims) = jwt_parts(jwt);
        claims["a"] = "rw".into();
        claims["seq"] = 1_000_000.into();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            parts[2]
        );
        assert!(!fake.database_token_is_valid("fake-org", "fake-db", &forged));
        let other_fake = start().await;
        let foreign = other_fake
            .client()
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        assert!(!fake.database_token_is_valid("fake-org", "fake-db", foreign.jwt.expose_secret()));
        for garbage in ["", "abc", "a.b.c", "...", "ü.ü.ü"] {
            assert!(!fake.database_token_is_valid("fake-org", "fake-db", garbage));
        }
        assert!(!fake.database_token_is_valid("fake-org", "fake-db", fake.token()));
    })
    .await
}

#[tokio::test]
async fn invalid_expirations_are_refused_before_sending() {
    bounded(LIMIT, async {
        let fake = start().await;
        // The client's own validation refuses a zero expiration; the fake's 400 for it
        // is tested with raw requests in the `http` module.
        let zero = TokenOptions::new().expiration(Expiration::After(Duration::ZERO));
        let result = fake
            .client()
            .create_database_token("fake-org", "fake-db", &zero)
            .await;
        assert!(
            matches!(result, Err(Error::InvalidArgument(_))),
            "{result:?}"
        );
    })
    .await
}

#[tokio::test]
async fn unknown_organizations_databases_and_groups_are_404() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = fake.client();
        let options = TokenOptions::new();
        assert_api_error(
            client
                .create_database_token("fake-org", "nope", &options)
                .await,
            404,
            "could not find database with name nope: record not found",
        );
        assert_api_error(
            client.invalidate_database_tokens("fake-org", "nope").await,
            404,
            "could not find database with name nope: record not found",
        );
        assert_api_error(
            client
                .create_group_token("fake-org", "nope", &options)
                .await,
            404,
            "group not found",
        );
        assert_api_error(
            client.invalidate_group_tokens("fake-org", "nope").await,
            404,
            "group not found",
        );
        for result in [
            client
                .create_database_token("nope", "fake-db", &options)
                .await
                .map(drop),
            client
                .create_group_token("nope", "default", &options)
                .await
                .map(drop),
            client.invalidate_database_tokens("nope", "fake-db").await,
            client.invalidate_group_tokens("nope", "default").await,
        ] {
            assert_api_error(result, 404, "organization");
        }
        // A group's name is not a database's, and the reverse.
        assert_api_error(
            client
                .create_database_token("fake-org", "default", &options)
                .await,
            404,
            "database",
        );
        assert_api_error(
            client
                .create_group_token("fake-org", "fake-db", &options)
                .await,
            404,
            "group not found",
        );
    })
    .await
}

#[tokio::test]
async fn rotating_a_database_invalidates_only_its_earlier_tokens() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_database("fake-org", "default", "other-db")
            .unwrap();
        let client = fake.client();
        let mint = |db: &'static str| {
            let client = client.clone();
            async move {
                client
                    .create_database_token("fake-org", db, &TokenOptions::new())
                    .await
                    .unwrap()
                    .jwt
            }
        };
        let valid = |db: &str, jwt: &turso_platform::secrecy::SecretString| {
            fake.database_token_is_valid("fake-org", db, jwt.expose_secret())
        };

        let before = mint("fake-db").await;
        let other = mint("other-db").await;
        client
            .invalidate_database_tokens("fake-org", "fake-db")
            .await
            .unwrap();
        // Same second as the rotation, most likely: no clock is involved.
        let after = mint("fake-db").await;
        assert!(!valid("fake-db", &before), "minted before the rotation");
        assert!(valid("fake-db", &after), "minted after the rotation");
        assert!(valid("other-db", &other), "another database is not rotated");

        // Calling it twice is harmless; a later rotation invalidates the later token.
        client
            .invalidate_database_tokens("fake-org", "fake-db")
            .await
            .unwrap();
        client
            .invalidate_database_tokens("fake-org", "fake-db")
            .await
            .unwrap();
        assert!(!valid("fake-db", &after));
        let last = mint("fake-db").await;
        assert!(valid("fake-db", &last));

        // Many rotations and mints back to back, all within a second or so.
        for _ in 0..20 {
            let jwt = mint("fake-db").await;
            assert!(valid("fake-db", &jwt));
            client
                .invalidate_database_tokens("fake-org", "fake-db")
                .await
                .unwrap();
            assert!(!valid("fake-db", &jwt));
        }
    })
    .await
}

#[tokio::test]
async fn group_tokens_open_the_group_and_rotate_with_it() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_database("fake-org", "default", "second-db")
            .unwrap();
        fake.add_group("fake-org", "eu").unwrap();
        fake.add_database("fake-org", "eu", "eu-db").unwrap();
        let client = fake.client();
        let valid = |db: &str, jwt: &str| fake.database_token_is_valid("fake-org", db, jwt);

        let group = client
            .create_group_token(
                "fake-org",
                "default",
                &expiration("2w1d30m").authorization(Authorization::ReadOnly),
            )
            .await
            .unwrap();
        let group_jwt = group.jwt.expose_secret();
        let (header, claims) = jwt_parts(group_jwt);
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(claims["a"], "ro");
        let iat = claims["iat"].as_u64().unwrap();
        let lifetime = (14 + 1) * 86_400 + 30 * 60;
        let exp = claims["exp"].as_u64().unwrap();
        assert!(exp > iat + lifetime - 1 && exp <= iat + lifetime + 1);
        assert!(group.expires_at().is_some());
        assert!(valid("fake-db", group_jwt) && valid("second-db", group_jwt));
        assert!(!valid("eu-db", group_jwt), "another group's database");

        let eu_group = client
            .create_group_token("fake-org", "eu", &TokenOptions::new())
            .await
            .unwrap();
        let db = client
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        let eu_db = client
            .create_database_token("fake-org", "eu-db", &TokenOptions::new())
            .await
            .unwrap();

        // Rotating a database also closes it to the group's earlier tokens.
        client
            .invalidate_database_tokens("fake-org", "second-db")
            .await
            .unwrap();
        assert!(!valid("second-db", group_jwt));
        assert!(valid("fake-db", group_jwt));

        client
            .invalidate_group_tokens("fake-org", "default")
            .await
            .unwrap();
        assert!(!valid("fake-db", group_jwt), "the group's token");
        assert!(
            !valid("fake-db", db.jwt.expose_secret()),
            "its databases' tokens"
        );
        assert!(
            valid("eu-db", eu_group.jwt.expose_secret()),
            "another group"
        );
        assert!(valid("eu-db", eu_db.jwt.expose_secret()));

        let fresh = client
            .create_group_token("fake-org", "default", &TokenOptions::new())
            .await
            .unwrap();
        let fresh_db = client
            .create_database_token("fake-org", "fake-db", &TokenOptions::new())
            .await
            .unwrap();
        assert!(valid("fake-db", fresh.jwt.expose_secret()));
        assert!(valid("second-db", fresh.jwt.expose_secret()));
        assert!(valid("fake-db", fresh_db.jwt.expose_secret()));
        client
            .invalidate_group_tokens("fake-org", "default")
            .await
            .expect("rotating twice is harmless");
        assert!(!valid("fake-db", fresh.jwt.expose_secret()));
    })
    .await
}

#[tokio::test]
async fn tokens_expire_at_their_exp_claim() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = fake.client();
        let short = client
            .create_database_token("fake-org", "fake-db", &expiration("1ms"))
            .await
            .unwrap();
        let group = client
            .create_group_token("fake-org", "default", &expiration("1ms"))
            .await
            .unwrap();
        let lasting = client
            .create_database_token("fake-org", "fake-db", &expiration("1h"))
            .await
            .unwrap();
        for token in [&short, &group] {
            let (_, claims) = jwt_parts(token.jwt.expose_secret());
            let exp = claims["exp"].as_u64().unwrap();
            // The expiry is rounded up to a whole second: at most a second from now.
            assert!(exp <= now_secs() + 2, "{exp}");
        }
        let expires_at = short.expires_at().unwrap().max(group.expires_at().unwrap());
        // Wait (at most about a second) until both have expired.
        let wait = expires_at
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        assert!(wait <= Duration::from_millis(1_200), "{wait:?}");
        tokio::time::sleep(wait + Duration::from_millis(20)).await;
        assert!(!fake.database_token_is_valid("fake-org", "fake-db", short.jwt.expose_secret()));
        assert!(!fake.database_token_is_valid("fake-org", "fake-db", group.jwt.expose_secret()));
        assert!(fake.database_token_is_valid("fake-org", "fake-db", lasting.jwt.expose_secret()));
    })
    .await
}

#[tokio::test]
async fn restricted_api_tokens_act_only_within_their_restriction() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "default").unwrap();
        fake.add_database("acme", "default", "orders").unwrap();
        fake.add_group("fake-org", "eu").unwrap();
        fake.add_database("fake-org", "eu", "eu-db").unwrap();
        let admin = fake.client();
        let options = TokenOptions::new();

        let org_token = admin
            .create_api_token("org", &ApiTokenOptions::new().organization("fake-org"))
            .await
            .unwrap();
        let org = client_with(&fake, org_token.token.expose_secret());
        org.create_database_token("fake-org", "fake-db", &options)
            .await
            .unwrap();
        org.invalidate_group_tokens("fake-org", "eu").await.unwrap();
        assert_api_error(
            org.create_database_token("acme", "orders", &options).await,
            403,
            "restricted to the organization fake-org",
        );
        // API tokens are managed by unrestricted tokens only, even inside the
        // organization.
        for refused in [
            org.list_organization_api_tokens("fake-org").await.map(drop),
            org.list_organization_api_tokens("acme").await.map(drop),
            org.list_api_tokens().await.map(drop),
            org.create_api_token("x", &ApiTokenOptions::new())
                .await
                .map(drop),
            org.create_api_token("z", &ApiTokenOptions::new().organization("fake-org"))
                .await
                .map(drop),
            org.revoke_api_token("org").await.map(drop),
        ] {
            assert_api_error(refused, 403, "cannot list, mint or revoke API tokens");
        }
        // Reading its own user is not restricted.
        org.current_user().await.unwrap();
        org.validate_api_token().await.unwrap();

        let group_token = admin
            .create_api_token(
                "minter",
                &ApiTokenOptions::new()
                    .organization("fake-org")
                    .group("default")
                    .scopes([Scope::DbMintToken, Scope::GroupRotateCreds]),
            )
            .await
            .unwrap();
        let minter = client_with(&fake, group_token.token.expose_secret());
        minter
            .create_database_token("fake-org", "fake-db", &options)
            .await
            .unwrap();
        minter
            .invalidate_group_tokens("fake-org", "default")
            .await
            .unwrap();
        assert_api_error(
            minter
                .invalidate_database_tokens("fake-org", "fake-db")
                .await,
            403,
            "db:rotate-creds",
        );
        assert_api_error(
            minter
                .create_group_token("fake-org", "default", &options)
                .await,
            403,
            "group:mint-token",
        );
        assert_api_error(
            minter
                .create_database_token("fake-org", "eu-db", &options)
                .await,
            403,
            "restricted to the group default",
        );
        assert_api_error(
            minter
                .create_database_token("fake-org", "no-such-db", &options)
                .await,
            403,
            "restricted to the group default",
        );
        assert_api_error(
            minter.list_organization_api_tokens("fake-org").await,
            403,
            "restricted to the group default",
        );
        assert_api_error(
            minter
                .create_api_token("w", &ApiTokenOptions::new().organization("fake-org"))
                .await,
            403,
            "cannot list, mint or revoke API tokens",
        );
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_mints_lose_nothing() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = fake.client();
        let mut tasks = Vec::new();
        for i in 0..64 {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let name = format!("concurrent-{i}");
                let scoped = ApiTokenOptions::new().organization("fake-org");
                let api = client.create_api_token(&name, &scoped);
                let options = expiration("1h");
                let db = client.create_database_token("fake-org", "fake-db", &options);
                let (api, db) = tokio::join!(api, db);
                (api.unwrap(), db.unwrap())
            }));
        }
        let mut minted = Vec::new();
        for task in tasks {
            minted.push(task.await.unwrap());
        }

        let listed = client.list_api_tokens().await.unwrap();
        assert_eq!(listed.len(), 65, "the seeded token and the 64 new ones");
        let listed_ids: HashSet<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(listed_ids.len(), 65, "unique IDs");
        let org_listed = client
            .list_organization_api_tokens("fake-org")
            .await
            .unwrap();
        assert_eq!(org_listed.len(), 64);
        let mut jwts = HashSet::new();
        for (i, (api, db)) in minted.iter().enumerate() {
            assert_eq!(api.name, format!("concurrent-{i}"));
            assert!(listed_ids.contains(api.id.as_str()));
            assert!(fake.database_token_is_valid("fake-org", "fake-db", db.jwt.expose_secret()));
            assert!(
                jwts.insert(db.jwt.expose_secret().to_owned()),
                "distinct tokens"
            );
        }
        // And every new API token works, checked concurrently too (over one plain HTTP
        // client: building 64 `Client`s would cost more than the checks).
        let http = turso_platform::reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap();
        let url = format!("{}/v1/auth/validate", fake.base_url());
        let mut checks = Vec::new();
        for (api, _) in &minted {
            let request = http.get(&url).bearer_auth(api.token.expose_secret()).send();
            checks.push(tokio::spawn(request));
        }
        for check in checks {
            let answer = check.await.unwrap().unwrap();
            assert_eq!(answer.status().as_u16(), 200);
            assert_eq!(answer.text().await.unwrap(), r#"{"exp":-1}"#);
        }
    })
    .await
}

#[tokio::test]
async fn setup_adds_organizations_groups_and_databases_and_says_what_is_wrong() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        fake.add_group("acme", "eu").unwrap();
        fake.add_database("acme", "eu", "orders").unwrap();
        let client = fake.client();
        let token = client
            .create_database_token("acme", "orders", &TokenOptions::new())
            .await
            .unwrap();
        assert!(fake.database_token_is_valid("acme", "orders", token.jwt.expose_secret()));
        client
            .create_group_token("acme", "eu", &TokenOptions::new())
            .await
            .unwrap();

        assert!(matches!(
            fake.add_organization("acme"),
            Err(SetupError::AlreadyExists { kind: "organization", ref name, .. }) if name == "acme"
        ));
        assert!(matches!(
            fake.add_group("acme", "eu"),
            Err(SetupError::AlreadyExists { kind: "group", .. })
        ));
        assert!(matches!(
            fake.add_database("acme", "eu", "orders"),
            Err(SetupError::AlreadyExists {
                kind: "database",
                ..
            })
        ));
        fake.add_group("acme", "us").unwrap();
        assert!(
            fake.add_database("acme", "us", "orders").is_err(),
            "database names are unique in an organization"
        );
        assert_eq!(
            fake.add_group("nope", "eu"),
            Err(SetupError::UnknownOrganization("nope".into()))
        );
        assert!(matches!(
            fake.add_database("acme", "nope", "x"),
            Err(SetupError::UnknownGroup { ref organization, ref group, .. })
                if organization == "acme" && group == "nope"
        ));
        let err = fake.add_database("nope", "eu", "x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the fake has no organization named \"nope\""
        );
        assert!(matches!(
            fake.add_organization(" "),
            Err(SetupError::BlankName {
                kind: "organization",
                ..
            })
        ));
        assert!(fake.add_group("acme", "").is_err());
        assert!(fake.add_database("acme", "eu", "").is_err());
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().contains("nope"));
    })
    .await
}

#[tokio::test]
async fn each_fake_is_independent_and_dropping_it_stops_the_server() {
    bounded(LIMIT, async {
        let first = start().await;
        let second = start().await;
        assert_ne!(first.base_url(), second.base_url());
        assert_ne!(first.token(), second.token());
        assert_api_error(
            client_with(&second, first.token())
                .validate_api_token()
                .await,
            401,
            "signature",
        );

        let client = client_with(&first, first.token());
        client.validate_api_token().await.unwrap();
        drop(first);
        // The server closes its listener as it shuts down; wait for that, briefly.
        let mut refused = false;
        for _ in 0..100 {
            match client.validate_api_token().await {
                Err(Error::Connect(_)) => {
                    refused = true;
                    break;
                }
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        assert!(refused, "the dropped fake still answers");
        second.client().validate_api_token().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    bounded(LIMIT, async {
        let fake = start().await;
        let shown = format!("{fake:?}");
        assert!(shown.contains(fake.base_url()));
        assert!(!shown.contains(fake.token()));
        assert!(shown.contains("REDACTED"));
        let created = fake
            .client()
            .create_api_token("secret", &ApiTokenOptions::new())
            .await
            .unwrap();
        assert!(!format!("{created:?}").contains(created.token.expose_secret()));
    })
    .await
}

#[test]
fn the_fake_can_be_shared_between_threads_and_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<FakeTurso>();
    shareable::<SetupError>();
    shareable::<MemberRole>();
}

/// Failures planned with `fail_next` come before anything else, for as many requests as
/// asked, each counted; a hanging request goes on once the fake is healed; operations
/// are named as in the spec.
#[tokio::test]
async fn planned_failures_and_request_counts_follow_the_spec_s_operations() {
    bounded(LIMIT, async {
        let fake = start().await;
        let client = client_with(&fake, fake.token());
        let unavailable =
            turso_platform_fake::Fault::Status(turso_platform::StatusCode::SERVICE_UNAVAILABLE);
        fake.fail_next("listAPITokens", 2, unavailable.clone())
            .unwrap();
        let nobody = client_with(&fake, "not-a-token");
        for caller in [&nobody, &client] {
            let error = caller.list_api_tokens().await.unwrap_err();
            assert_eq!(
                error.status().map(|s| s.as_u16()),
                Some(503),
                "before the 401"
            );
            assert!(
                error.to_string().contains("injected by the fake"),
                "{error}"
            );
        }
        client.list_api_tokens().await.unwrap();
        assert_eq!(fake.requests("listAPITokens").unwrap(), 3);
        assert_eq!(
            fake.requests("revokeAPIToken").unwrap(),
            0,
            "same path, other method"
        );

        fake.fail_next(
            "getCurrentUser",
            usize::MAX,
            turso_platform_fake::Fault::Hang,
        )
        .unwrap();
        let hanging = tokio::spawn({
            let client = client.clone();
            async move { client.current_user().await }
        });
        while fake.requests("getCurrentUser").unwrap() == 0 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!hanging.is_finished());
        fake.heal();
        assert_eq!(hanging.await.unwrap().unwrap().username, "fake-user");
        client.current_user().await.unwrap();

        fake.fail_next("getCurrentUser", 1, unavailable.clone())
            .unwrap();
        fake.fail_next("getCurrentUser", 0, unavailable.clone())
            .unwrap();
        client
            .current_user()
            .await
            .expect("a count of 0 cancels the plan");
        for unknown in ["get_current_user", "nope", ""] {
            assert!(matches!(
                fake.fail_next(unknown, 1, unavailable.clone()),
                Err(SetupError::UnknownOperation(_))
            ));
            assert!(fake.requests(unknown).is_err());
        }
    })
    .await
}

/// Every token, however restricted, may read its user, validate itself and list the
/// locations; a restricted one lists only its organization.
#[tokio::test]
async fn every_token_reads_its_user_validates_itself_and_lists_locations() {
    bounded(LIMIT, async {
        let fake = start().await;
        fake.add_organization("acme").unwrap();
        let admin = fake.client();
        let narrow = crate::common::restricted_client(
            &fake,
            &admin,
            "narrow",
            &crate::common::pinned("fake-org", "default", [turso_platform::Scope::DbMintToken]),
        )
        .await;
        assert_eq!(narrow.current_user().await.unwrap().username, "fake-user");
        assert!(narrow.validate_api_token().await.is_ok());
        assert!(!narrow.list_locations().await.unwrap().is_empty());
        let organizations = narrow.list_organizations().await.unwrap();
        let slugs: Vec<&str> = organizations.iter().map(|o| o.slug.as_str()).collect();
        assert_eq!(slugs, ["fake-org"]);
        // Its scopes still hold elsewhere: it reads no group.
        assert!(narrow.list_groups("fake-org").await.is_err());
    })
    .await
}
