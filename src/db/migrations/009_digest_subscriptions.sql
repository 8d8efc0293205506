-- Digest subscriptions: a daily or weekly digest of some entities (or kinds of entity) sent to a channel.
--
-- A digest goes through the alert outbox rather than a second delivery path: each subscription
-- owns an alert_rules row of kind 'digest' (no entity; it holds the channel and secret the outbox
-- reads), and each period's digest is an alert of that rule whose event key is the period. The
-- unique (rule_id, event_key) of alerts and last_period, set in the transaction that queues the
-- digest, make one period one delivery, however many workers run and whatever restarts between.

ALTER TABLE alert_rules ALTER COLUMN entity_id DROP NOT NULL;
ALTER TABLE alert_rules DROP CONSTRAINT IF EXISTS alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check
  CHECK (kind IN ('shift', 'spike', 'aspect', 'mention', 'digest'));
-- Every alert rule watches one entity; a digest's entities live in its subscription.
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_entity_by_kind
  CHECK ((kind = 'digest') = (entity_id IS NULL));

CREATE TABLE IF NOT EXISTS digest_subscriptions (
  -- The subscription's id is its delivery rule's id, so deliveries and alerts point at it directly.
  rule_id      integer PRIMARY KEY REFERENCES alert_rules (id),
  -- Entity slugs and entity kinds; both empty: every entity.
  entities     text[] NOT NULL DEFAULT '{}',
  kinds        text[] NOT NULL DEFAULT '{}',
  cadence      text NOT NULL CHECK (cadence IN ('daily', 'weekly')),
  -- The digest of a day (or ISO week) goes out at this hour (UTC) after it ends.
  hour_utc     integer NOT NULL DEFAULT 8 CHECK (hour_utc BETWEEN 0 AND 23),
  -- The key of the last period queued ('2026-03-14', '2026-W11'); null: none yet.
  last_period  text
);
