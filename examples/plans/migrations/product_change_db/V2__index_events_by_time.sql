-- pgplan:no-transaction
-- Built without blocking writes: CREATE INDEX CONCURRENTLY runs outside a
-- transaction, so this script is marked non-transactional.
CREATE INDEX CONCURRENTLY IF NOT EXISTS change_event_created_idx
    ON product_change.change_event (created_at);
