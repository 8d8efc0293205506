-- Posts stored before post_flows (migration 010) have no flows yet. Those that could state one (a
-- tracked entity and a word of movement in their text) lose their model version, so `vibecheck
-- rescore` reads them again and writes their flows; the sentiment model is unchanged, so their scores
-- come back the same. The words are the extractor's verbs (src/understand/flows), broadly.
UPDATE posts SET model_version = NULL
WHERE model_version IS NOT NULL
  AND duplicate_of IS NULL
  AND NOT EXISTS (SELECT 1 FROM post_flows f WHERE f.post_id = posts.id)
  AND EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = posts.id)
  AND (coalesce(title, '') || ' ' || body) ~* '(switch|mov(e|ed|ing) (from|to|off|over|away|back)|migrat|cancel|unsubscrib|uninstall|replac|ditch|dump|dropp|quit|abandon|back to|return|done with|gave up|given up|stopped (using|paying)|no longer (use|pay)|alongside|in addition to|added|complement|fallback|->|→|=>)';
