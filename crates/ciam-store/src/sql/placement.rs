//! The placement directory on both SQL dialects: each tenant's home region and the move under
//! way, with a version counter that every change bumps in the same transaction.

use async_trait::async_trait;
use ciam_core::id::{Region, TenantId};
use ciam_core::region::{Move, MoveStep, Placement};
use ciam_core::store::{RegionDirectory, StoreError, StoreResult};
use time::OffsetDateTime;

use super::queries::*;
use super::rows::{from_ts, map_err, sql_row, ts};
use super::{PgStore, SqliteStore, lite, pg};

sql_row! {
pub(crate) struct PlacementRow {
    tenant_id: String,
    region: String,
    moving_to: Option<String>,
    move_step: Option<String>,
    move_started_at: Option<i64>,
    updated_at: i64,
}
}

impl TryFrom<PlacementRow> for Placement {
    type Error = StoreError;
    fn try_from(r: PlacementRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("tenant_placement.{what}"));
        let region = |s: &str, what: &str| Region::parse(s).map_err(|e| corrupt(&format!("{what}: {e}")));
        let moving = match (r.moving_to, r.move_step, r.move_started_at) {
            (None, None, None) => None,
            (Some(to), Some(step), Some(started_at)) => Some(Move {
                to: region(&to, "moving_to")?,
                step: MoveStep::parse(&step).ok_or_else(|| corrupt("move_step"))?,
                started_at: from_ts(started_at)?,
            }),
            _ => return Err(corrupt("move: moving_to, move_step and move_started_at are set together")),
        };
        Ok(Placement {
            tenant: TenantId::parse(&r.tenant_id).map_err(|e| corrupt(&format!("tenant_id: {e}")))?,
            region: region(&r.region, "region")?,
            moving,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

macro_rules! impl_region_directory {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl RegionDirectory for $store {
            async fn place_tenant(&self, tenant: &TenantId, region: &Region, now: OffsetDateTime) -> StoreResult<()> {
                let err = map_err("tenant");
                let mut tx = self.begin_write().await.map_err(&err)?;
                $db::query(INSERT_PLACEMENT)
                    .bind(tenant.as_str())
                    .bind(region.as_str())
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                $db::query(BUMP_PLACEMENTS_VERSION).execute(&mut *tx).await.map_err(&err)?;
                tx.commit().await.map_err(&err)
            }

            async fn placement(&self, tenant: &TenantId) -> StoreResult<Option<Placement>> {
                $db::query_as::<PlacementRow>(SELECT_PLACEMENT)
                    .bind(tenant.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err("placement"))?
                    .map(Placement::try_from)
                    .transpose()
            }

            async fn placements(&self) -> StoreResult<Vec<Placement>> {
                let mut all = $db::query_as::<PlacementRow>(LIST_PLACEMENTS)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err("placement"))?
                    .into_iter()
                    .map(Placement::try_from)
                    .collect::<StoreResult<Vec<_>>>()?;
                // By id as Rust orders it, whatever the database's collation.
                all.sort_by(|a, b| a.tenant.cmp(&b.tenant));
                Ok(all)
            }

            async fn placements_version(&self) -> StoreResult<i64> {
                $db::query_scalar(SELECT_PLACEMENTS_VERSION).fetch_one(&self.pool).await.map_err(map_err("placement"))
            }

            async fn update_placement(&self, p: &Placement) -> StoreResult<()> {
                let err = map_err("placement");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let done = $db::query(UPDATE_PLACEMENT)
                    .bind(p.tenant.as_str())
                    .bind(p.region.as_str())
                    .bind(p.moving.as_ref().map(|m| m.to.as_str()))
                    .bind(p.moving.as_ref().map(|m| m.step.as_str()))
                    .bind(p.moving.as_ref().map(|m| ts(m.started_at)))
                    .bind(ts(p.updated_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(&err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                $db::query(BUMP_PLACEMENTS_VERSION).execute(&mut *tx).await.map_err(&err)?;
                tx.commit().await.map_err(&err)
            }

            async fn remove_placement(&self, tenant: &TenantId) -> StoreResult<bool> {
                let err = map_err("placement");
                let mut tx = self.begin_write().await.map_err(&err)?;
                let done = $db::query(DELETE_PLACEMENT).bind(tenant.as_str()).execute(&mut *tx).await.map_err(&err)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                $db::query(BUMP_PLACEMENTS_VERSION).execute(&mut *tx).await.map_err(&err)?;
                tx.commit().await.map_err(&err)?;
                Ok(true)
            }
        }
    };
}

impl_region_directory!(SqliteStore, lite);
impl_region_directory!(PgStore, pg);

#[cfg(test)]
mod tests {
    use super::*;

    /// The tenants of a deployment that had no directory yet are placed in their home region by
    /// the migration that adds it.
    #[tokio::test]
    async fn the_migration_places_existing_tenants() {
        let all = sqlx::migrate!("../../migrations/sqlite");
        let earlier = all.iter().filter(|m| m.version < 29).cloned().collect();
        let (writer, pool) = lite::connect(None, 1, std::time::Duration::from_secs(5)).unwrap();
        lite::migrate(&writer, &sqlx::migrate::Migrator::with_migrations(earlier)).await.unwrap();
        lite::query(INSERT_TENANT)
            .bind("acme")
            .bind("Acme")
            .bind("eu")
            .bind("{}")
            .bind(1_800_000_000_i64)
            .bind(1_800_000_100_i64)
            .bind("")
            .execute(&writer)
            .await
            .unwrap();
        lite::migrate(&writer, &all).await.unwrap();
        let store = SqliteStore { pool, writer };
        let placed = Placement {
            tenant: TenantId::parse("acme").unwrap(),
            region: Region::parse("eu").unwrap(),
            moving: None,
            updated_at: from_ts(1_800_000_100).unwrap(),
        };
        assert_eq!(store.placements().await.unwrap(), vec![placed]);
        assert_eq!(store.placements_version().await.unwrap(), 0);
    }

    fn row(moving_to: Option<&str>, step: Option<&str>, started: Option<i64>) -> PlacementRow {
        PlacementRow {
            tenant_id: "acme".into(),
            region: "eu".into(),
            moving_to: moving_to.map(Into::into),
            move_step: step.map(Into::into),
            move_started_at: started,
            updated_at: 1_800_000_000,
        }
    }

    /// A move is all three columns or none; a bad step or region is corrupt, not a panic.
    #[test]
    fn stored_moves_are_whole_or_corrupt() {
        assert!(Placement::try_from(row(None, None, None)).unwrap().moving.is_none());
        let moving = Placement::try_from(row(Some("us"), Some("copied"), Some(1_800_000_000))).unwrap();
        assert_eq!(moving.moving.map(|m| (m.to.to_string(), m.step)), Some(("us".into(), MoveStep::Copied)));
        for bad in [
            row(Some("us"), None, Some(1)),
            row(None, Some("copied"), None),
            row(Some("us"), Some("copying"), Some(1)),
            row(Some("U S"), Some("copied"), Some(1)),
            PlacementRow { region: String::new(), ..row(None, None, None) },
        ] {
            assert!(matches!(Placement::try_from(bad), Err(StoreError::Corrupt(_))));
        }
    }
}
