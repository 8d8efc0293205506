-- Alert rules on a kind of entity ("every model"). The rule a user adds names the kind and holds the
-- definition (no entity); evaluation judges one rule per entity of that kind, made from it (parent_id)
-- when it is added and whenever an entity of the kind appears, and retired when its entity is removed
-- or changes kind. Each entity's rule keeps its own state, cooldown and daily limit; the alerts and
-- deliveries of the kind rule are those of its entity rules.
ALTER TABLE alert_rules ADD COLUMN IF NOT EXISTS entity_kind text CHECK (entity_kind IN ('model', 'tool', 'vendor'));
ALTER TABLE alert_rules ADD COLUMN IF NOT EXISTS parent_id integer REFERENCES alert_rules (id);
-- A rule watches one entity, unless it is a digest's delivery rule or a rule on a kind of entity.
ALTER TABLE alert_rules DROP CONSTRAINT IF EXISTS alert_rules_entity_by_kind;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_entity_by_kind
  CHECK ((kind = 'digest' OR entity_kind IS NOT NULL) = (entity_id IS NULL));
-- One live rule per entity of a kind rule, however many evaluators make them at once.
CREATE UNIQUE INDEX IF NOT EXISTS alert_rules_parent_entity_idx ON alert_rules (parent_id, entity_id)
  WHERE parent_id IS NOT NULL AND removed_at IS NULL;
