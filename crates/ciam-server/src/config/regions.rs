//! Data-residency regions: `region` names the control region (its stores are the top-level
//! `database_url` and `redis_url`, or `[regions.<region>]`), `[regions.<name>]` adds the
//! others, and `serve_regions` picks the ones this node serves.

use std::collections::BTreeMap;
use std::path::Path;

use ciam_core::id::Region;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ConfigError, bad};

/// One region's stores, as written by the operator (`[regions.<name>]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegionConfig {
    /// Its durable store. Default when the control region runs on SQLite:
    /// `sqlite://{data_dir}/ciam-{name}.db`; required with Postgres.
    pub database_url: Option<String>,
    /// Its Redis. Default: in-process.
    pub redis_url: Option<String>,
    /// The prefix of its Redis keys. Default: the top-level `redis_key_prefix`.
    pub redis_key_prefix: Option<String>,
    /// The public URL of the nodes that serve it: requests for its tenants reaching a node
    /// that does not serve it are redirected there. Unset: they get a 421 problem.
    pub public_url: Option<String>,
}

/// One region after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSettings {
    /// The region.
    pub region: Region,
    /// Its durable store URL.
    pub database_url: String,
    /// Its Redis URL, if any.
    pub redis_url: Option<String>,
    /// The prefix of its Redis keys (`None`: the deployment's).
    pub redis_key_prefix: Option<String>,
    /// Where its tenants are served, for redirects.
    pub public_url: Option<Url>,
    /// Whether this node serves it.
    pub serve: bool,
}

/// Checks a Redis URL.
pub(super) fn check_redis_url(key: &str, url: Option<&String>) -> Result<(), ConfigError> {
    let ok = |u: &String| Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "redis" | "rediss") && u.host().is_some());
    match url {
        Some(u) if !ok(u) => Err(bad(key, "must be a redis:// or rediss:// URL")),
        _ => Ok(()),
    }
}

/// Checks a durable store URL.
pub(super) fn check_database_url(key: &str, url: String) -> Result<String, ConfigError> {
    if url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(url)
    } else {
        Err(bad(key, "must start with sqlite:// or postgres://"))
    }
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Resolves every region: the control region `control` with the top-level stores
/// (`database_url` already defaulted), then `[regions.*]` in name order.
pub(super) fn resolve(
    control: &Region,
    database_url: &str,
    redis_url: Option<&String>,
    regions: &BTreeMap<String, RegionConfig>,
    serve: &str,
    data_dir: &Path,
) -> Result<Vec<RegionSettings>, ConfigError> {
    let mut resolved = Vec::new();
    let control_config = regions.get(control.as_str()).cloned().unwrap_or_default();
    for (name, config) in std::iter::once((control.as_str(), &control_config))
        .chain(regions.iter().filter(|(n, _)| n.as_str() != control.as_str()).map(|(n, c)| (n.as_str(), c)))
    {
        let key = |field: &str| format!("regions.{name}.{field}");
        let region = Region::parse(name).map_err(|e| bad(&format!("regions.{name}"), e.message))?;
        let is_control = &region == control;
        let database_url = match (&config.database_url, is_control) {
            (Some(url), _) => check_database_url(&key("database_url"), url.clone())?,
            (None, true) => database_url.to_owned(),
            (None, false) if is_sqlite(database_url) => {
                format!("sqlite://{}?mode=rwc", data_dir.join(format!("ciam-{region}.db")).display())
            }
            (None, false) => return Err(bad(&key("database_url"), "is required when the regions run on Postgres")),
        };
        if is_sqlite(&database_url)
            != is_sqlite(resolved.first().map_or(&database_url, |c: &RegionSettings| &c.database_url))
        {
            return Err(bad(
                &key("database_url"),
                "must use the same database as the control region (SQLite or Postgres): tenants move between regions row by row",
            ));
        }
        let redis_url = config.redis_url.clone().or_else(|| is_control.then(|| redis_url.cloned()).flatten());
        check_redis_url(&key("redis_url"), redis_url.as_ref())?;
        let public_url = config
            .public_url
            .as_deref()
            .map(|u| super::parse_public_url(u).map_err(|_| bad(&key("public_url"), "must be an http or https URL")))
            .transpose()?;
        let redis_key_prefix = config.redis_key_prefix.clone();
        resolved.push(RegionSettings { region, database_url, redis_url, redis_key_prefix, public_url, serve: true });
    }
    let serve: Vec<&str> = serve.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if !serve.is_empty() {
        if let Some(unknown) = serve.iter().find(|s| !resolved.iter().any(|r| r.region.as_str() == **s)) {
            return Err(bad("serve_regions", format!("names {unknown:?}, which is not a configured region")));
        }
        for r in &mut resolved {
            r.serve = serve.contains(&r.region.as_str());
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eu() -> Region {
        Region::parse("eu").unwrap()
    }

    #[test]
    fn one_region_is_the_control_region_with_the_top_level_stores() {
        let r = resolve(&eu(), "sqlite:///d/ciam.db", None, &BTreeMap::new(), "", Path::new("/d")).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].region.as_str(), r[0].database_url.as_str(), r[0].serve), ("eu", "sqlite:///d/ciam.db", true));
    }

    #[test]
    fn more_regions_default_to_their_own_sqlite_file_and_are_all_served() {
        let regions = BTreeMap::from([("us".to_owned(), RegionConfig::default())]);
        let r = resolve(&eu(), "sqlite:///d/ciam.db", None, &regions, "", Path::new("/d")).unwrap();
        assert_eq!(r.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(), ["eu", "us"]);
        assert_eq!(r[1].database_url, "sqlite:///d/ciam-us.db?mode=rwc");
        assert!(r.iter().all(|r| r.serve));
    }

    #[test]
    fn postgres_regions_name_their_database_and_cannot_mix_with_sqlite() {
        let pg = "postgres://db/eu";
        let regions = BTreeMap::from([("us".to_owned(), RegionConfig::default())]);
        let e = resolve(&eu(), pg, None, &regions, "", Path::new("/d")).unwrap_err();
        assert!(e.to_string().contains("regions.us.database_url"), "{e}");
        let sqlite = RegionConfig { database_url: Some("sqlite:///d/us.db".into()), ..RegionConfig::default() };
        let e =
            resolve(&eu(), pg, None, &BTreeMap::from([("us".to_owned(), sqlite)]), "", Path::new("/d")).unwrap_err();
        assert!(e.to_string().contains("same database"), "{e}");
        let us = RegionConfig {
            database_url: Some("postgres://db/us".into()),
            redis_url: Some("redis://cache-us".into()),
            redis_key_prefix: Some("us:".into()),
            public_url: Some("https://us.id.example.com".into()),
        };
        let r = resolve(
            &eu(),
            pg,
            Some(&"redis://cache-eu".into()),
            &BTreeMap::from([("us".to_owned(), us)]),
            "us",
            Path::new("/d"),
        )
        .unwrap();
        assert_eq!(r[0].redis_url.as_deref(), Some("redis://cache-eu"));
        assert_eq!(r[1].redis_url.as_deref(), Some("redis://cache-us"));
        assert_eq!((r[0].redis_key_prefix.as_deref(), r[1].redis_key_prefix.as_deref()), (None, Some("us:")));
        assert_eq!(r[1].public_url.as_ref().map(Url::as_str), Some("https://us.id.example.com/"));
        assert_eq!(r.iter().map(|r| r.serve).collect::<Vec<_>>(), [false, true]);
    }

    #[test]
    fn the_control_region_may_be_written_as_a_region_table() {
        let at = |url: &str| RegionConfig { database_url: Some(url.into()), ..RegionConfig::default() };
        let regions =
            BTreeMap::from([("eu".to_owned(), at("postgres://db/eu")), ("us".to_owned(), at("postgres://db/us"))]);
        let r = resolve(&eu(), "sqlite:///d/ciam.db", None, &regions, "", Path::new("/d")).unwrap();
        assert_eq!(
            r.iter().map(|r| (r.region.as_str(), r.database_url.as_str())).collect::<Vec<_>>(),
            [("eu", "postgres://db/eu"), ("us", "postgres://db/us")]
        );
    }

    #[test]
    fn bad_region_settings_are_named() {
        let bad_redis = RegionConfig { redis_url: Some("http://x".into()), ..RegionConfig::default() };
        let e = resolve(&eu(), "sqlite:x", None, &BTreeMap::from([("us".to_owned(), bad_redis)]), "", Path::new("/d"))
            .unwrap_err();
        assert!(e.to_string().contains("regions.us.redis_url"), "{e}");
        let e = resolve(&eu(), "sqlite:x", None, &BTreeMap::new(), "eu,mars", Path::new("/d")).unwrap_err();
        assert!(e.to_string().contains("serve_regions") && e.to_string().contains("mars"), "{e}");
        let e = resolve(
            &eu(),
            "sqlite:x",
            None,
            &BTreeMap::from([("Not A Region".to_owned(), RegionConfig::default())]),
            "",
            Path::new("/d"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("regions.Not A Region"), "{e}");
    }
}
