//! Writing records and checkpoints inside a transaction: one batch, or a
//! stream pushed record by record (the import path).

use super::*;

fn insert_record(ins: &mut CachedStatement<'_>, r: &StoredRecord) -> Result<(), StoreError> {
    ins.execute(params![
        to_i64(r.leaf_index)?,
        r.id,
        r.case_id,
        r.kind,
        r.target,
        r.occurred_at,
        r.recorded_at,
        r.envelope,
        &r.leaf_hash[..],
        r.sealed
    ])
    .map_err(backend)?;
    Ok(())
}

/// The body of every append, inside an open `BEGIN IMMEDIATE` transaction: check the
/// size (before `produce` runs), store the keys, take the records one by one, then the
/// checkpoint. The caller commits; returning an error (or dropping the transaction)
/// rolls back.
///
/// `long` is called once if the write reaches [`flusher::AFTER_ROWS`] records.
pub(crate) fn write_stream(
    tx: &rusqlite::Transaction<'_>,
    expected_size: u64,
    keys: &[WrappedKey],
    produce: &mut dyn FnMut(&mut PushRecord<'_>) -> Result<StoredCheckpoint, StoreError>,
    long: &mut dyn FnMut(),
) -> Result<(), StoreError> {
    let found: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM records",
            [],
            |r| r.get(0),
        )
        .map_err(backend)?;
    let found = found as u64;
    if found != expected_size {
        return Err(StoreError::Conflict {
            expected: expected_size,
            found,
        });
    }
    {
        let mut ins = tx
            .prepare_cached("INSERT INTO keys (scope, wrapped) VALUES (?1, ?2)")
            .map_err(backend)?;
        for k in keys {
            ins.execute(params![k.scope, k.wrapped]).map_err(backend)?;
        }
    }
    let mut next = expected_size;
    // The first failed push, kept so that a producer that ignores it cannot commit.
    let mut failed: Option<String> = None;
    let produced = {
        let mut ins = tx
            .prepare_cached(&format!(
                "INSERT INTO records ({RECORD_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .map_err(backend)?;
        let mut push = |r: &StoredRecord| -> Result<(), StoreError> {
            if let Some(first) = &failed {
                return Err(StoreError::Backend(format!(
                    "the append was abandoned after an earlier error: {first}"
                )));
            }
            let result = if r.leaf_index == next {
                insert_record(&mut ins, r)
            } else {
                Err(StoreError::Corrupt(format!(
                    "record {} pushed at leaf index {}, expected {next}",
                    r.id, r.leaf_index
                )))
            };
            match result {
                Ok(()) => {
                    next += 1;
                    if next - expected_size == flusher::AFTER_ROWS {
                        long();
                    }
                    Ok(())
                }
                Err(e) => {
                    failed = Some(e.to_string());
                    Err(e)
                }
            }
        };
        produce(&mut push)
    };
    let c = produced?;
    if let Some(first) = failed {
        return Err(StoreError::Backend(format!(
            "a record could not be written: {first}"
        )));
    }
    if c.size != next {
        return Err(StoreError::Corrupt(format!(
            "checkpoint of size {} does not cover the {next} records of the ledger",
            c.size
        )));
    }
    let frontier: Vec<u8> = c.frontier.concat();
    tx.execute(
        "INSERT INTO checkpoints (size, note, frontier, created_at, mac) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![to_i64(c.size)?, c.note, frontier, c.created_at, &c.mac[..]],
    )
    .map_err(backend)?;
    Ok(())
}

/// [`write_stream`] over records already in memory.
pub(crate) fn write_batch(
    tx: &rusqlite::Transaction<'_>,
    batch: Append<'_>,
) -> Result<(), StoreError> {
    write_stream(
        tx,
        batch.expected_size,
        batch.keys,
        &mut |push| {
            for r in batch.records {
                push(r)?;
            }
            Ok(batch.checkpoint.clone())
        },
        &mut || {},
    )
}
