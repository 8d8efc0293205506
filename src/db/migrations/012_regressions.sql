-- Regression events: the detector's judgement that an entity's sentiment departed from what its own
-- history leads one to expect (after a release, or a sustained drop outside one). Size, confidence,
-- the expected and observed change and the layer attribution live in details, as a spike's do.
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check
  CHECK (kind IN ('release', 'incident', 'spike', 'note', 'regression'));
