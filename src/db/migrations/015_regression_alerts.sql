-- Alert rules of kind 'regression': an alert when the regression detector (migration 012) flags an
-- entity, once per regression however long it lasts.
ALTER TABLE alert_rules DROP CONSTRAINT IF EXISTS alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check
  CHECK (kind IN ('shift', 'spike', 'aspect', 'mention', 'digest', 'regression'));
