-- Per entity x source x UTC day: the hourly sums added up, so UTC day, week and month series read
-- one row per day instead of 24. Kept equal to sentiment_rollups by a trigger on every change there
-- (ingest upserts, rebuilds), in the same transaction; nothing else writes it.
CREATE TABLE IF NOT EXISTS sentiment_rollups_daily (
  entity_id             integer NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  day                   timestamptz NOT NULL,
  source                text NOT NULL,
  n                     integer NOT NULL DEFAULT 0,
  positive              integer NOT NULL DEFAULT 0,
  neutral               integer NOT NULL DEFAULT 0,
  negative              integer NOT NULL DEFAULT 0,
  score_sum             double precision NOT NULL DEFAULT 0,
  score_sq_sum          double precision NOT NULL DEFAULT 0,
  weight_sum            double precision NOT NULL DEFAULT 0,
  weighted_score_sum    double precision NOT NULL DEFAULT 0,
  weighted_score_sq_sum double precision NOT NULL DEFAULT 0,
  weight_sq_sum         double precision NOT NULL DEFAULT 0,
  engagement_sum        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (entity_id, day, source)
);

CREATE OR REPLACE FUNCTION sentiment_rollups_to_daily() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.entity_id = OLD.entity_id AND NEW.source = OLD.source
     AND date_trunc('day', NEW.bucket, 'UTC') = date_trunc('day', OLD.bucket, 'UTC') THEN
    UPDATE sentiment_rollups_daily d SET
      n = d.n + (NEW.n - OLD.n), positive = d.positive + (NEW.positive - OLD.positive),
      neutral = d.neutral + (NEW.neutral - OLD.neutral), negative = d.negative + (NEW.negative - OLD.negative),
      score_sum = d.score_sum + (NEW.score_sum - OLD.score_sum), score_sq_sum = d.score_sq_sum + (NEW.score_sq_sum - OLD.score_sq_sum),
      weight_sum = d.weight_sum + (NEW.weight_sum - OLD.weight_sum),
      weighted_score_sum = d.weighted_score_sum + (NEW.weighted_score_sum - OLD.weighted_score_sum),
      weighted_score_sq_sum = d.weighted_score_sq_sum + (NEW.weighted_score_sq_sum - OLD.weighted_score_sq_sum),
      weight_sq_sum = d.weight_sq_sum + (NEW.weight_sq_sum - OLD.weight_sq_sum),
      engagement_sum = d.engagement_sum + (NEW.engagement_sum - OLD.engagement_sum)
    WHERE d.entity_id = NEW.entity_id AND d.day = date_trunc('day', NEW.bucket, 'UTC') AND d.source = NEW.source;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE sentiment_rollups_daily d SET
      n = d.n - OLD.n, positive = d.positive - OLD.positive, neutral = d.neutral - OLD.neutral,
      negative = d.negative - OLD.negative, score_sum = d.score_sum - OLD.score_sum,
      score_sq_sum = d.score_sq_sum - OLD.score_sq_sum, weight_sum = d.weight_sum - OLD.weight_sum,
      weighted_score_sum = d.weighted_score_sum - OLD.weighted_score_sum,
      weighted_score_sq_sum = d.weighted_score_sq_sum - OLD.weighted_score_sq_sum,
      weight_sq_sum = d.weight_sq_sum - OLD.weight_sq_sum, engagement_sum = d.engagement_sum - OLD.engagement_sum
    WHERE d.entity_id = OLD.entity_id AND d.day = date_trunc('day', OLD.bucket, 'UTC') AND d.source = OLD.source;
    DELETE FROM sentiment_rollups_daily d
    WHERE d.entity_id = OLD.entity_id AND d.day = date_trunc('day', OLD.bucket, 'UTC') AND d.source = OLD.source AND d.n <= 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO sentiment_rollups_daily AS d (entity_id, day, source, n, positive, neutral, negative, score_sum, score_sq_sum,
        weight_sum, weighted_score_sum, weighted_score_sq_sum, weight_sq_sum, engagement_sum)
    VALUES (NEW.entity_id, date_trunc('day', NEW.bucket, 'UTC'), NEW.source, NEW.n, NEW.positive, NEW.neutral, NEW.negative,
        NEW.score_sum, NEW.score_sq_sum, NEW.weight_sum, NEW.weighted_score_sum, NEW.weighted_score_sq_sum,
        NEW.weight_sq_sum, NEW.engagement_sum)
    ON CONFLICT (entity_id, day, source) DO UPDATE SET
      n = d.n + excluded.n, positive = d.positive + excluded.positive, neutral = d.neutral + excluded.neutral,
      negative = d.negative + excluded.negative, score_sum = d.score_sum + excluded.score_sum,
      score_sq_sum = d.score_sq_sum + excluded.score_sq_sum, weight_sum = d.weight_sum + excluded.weight_sum,
      weighted_score_sum = d.weighted_score_sum + excluded.weighted_score_sum,
      weighted_score_sq_sum = d.weighted_score_sq_sum + excluded.weighted_score_sq_sum,
      weight_sq_sum = d.weight_sq_sum + excluded.weight_sq_sum, engagement_sum = d.engagement_sum + excluded.engagement_sum;
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS sentiment_rollups_daily_sync ON sentiment_rollups;
CREATE TRIGGER sentiment_rollups_daily_sync AFTER INSERT OR UPDATE OR DELETE ON sentiment_rollups
  FOR EACH ROW EXECUTE FUNCTION sentiment_rollups_to_daily();

-- Hourly rows stored before this migration.
INSERT INTO sentiment_rollups_daily (entity_id, day, source, n, positive, neutral, negative, score_sum, score_sq_sum,
    weight_sum, weighted_score_sum, weighted_score_sq_sum, weight_sq_sum, engagement_sum)
SELECT entity_id, date_trunc('day', bucket, 'UTC'), source, sum(n), sum(positive), sum(neutral), sum(negative), sum(score_sum),
    sum(score_sq_sum), sum(weight_sum), sum(weighted_score_sum), sum(weighted_score_sq_sum), sum(weight_sq_sum), sum(engagement_sum)
FROM sentiment_rollups
GROUP BY 1, 2, 3
ON CONFLICT (entity_id, day, source) DO NOTHING;
