-- Product-Change application schema: change requests, their events, and
-- the circuit breaker that guards the downstream catalogue service.
-- Runs as product_change_admin, so the plan's default privileges give
-- product_change_app read/write and product_change_readonly read access.
SET LOCAL search_path TO product_change;

CREATE TABLE change_request (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('price', 'description', 'availability')),
    payload     jsonb       NOT NULL DEFAULT '{}',
    status      text        NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'applied', 'failed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE change_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  bigint      NOT NULL REFERENCES change_request (id) ON DELETE CASCADE,
    event       text        NOT NULL,
    detail      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE circuit_breaker_state (
    service        text        PRIMARY KEY,
    state          text        NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    failure_count  integer     NOT NULL DEFAULT 0,
    opened_at      timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX change_request_product_idx ON change_request (product_id);
CREATE INDEX change_request_status_idx ON change_request (status) WHERE status <> 'applied';
CREATE INDEX change_request_created_idx ON change_request (created_at);
CREATE INDEX change_event_request_idx ON change_event (request_id);

-- Keeps updated_at honest whatever the application sends.
CREATE FUNCTION touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER change_request_touch BEFORE UPDATE ON change_request
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER circuit_breaker_touch BEFORE UPDATE ON circuit_breaker_state
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Every guarded service starts closed.
INSERT INTO circuit_breaker_state (service, state) VALUES
    ('catalogue', 'closed'),
    ('pricing', 'closed'),
    ('inventory', 'closed');

-- What operations watch: the backlog per status and the oldest pending age.
CREATE VIEW change_backlog AS
    SELECT status,
           count(*)                        AS requests,
           max(now() - created_at)         AS oldest_age
      FROM change_request
     WHERE status <> 'applied'
     GROUP BY status;
