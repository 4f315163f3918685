-- 0032_soc_rule_state (SQLite): what the detection rules know of their windows without counting
-- them again (src/core/soc/detect.c, docs/SOC.md "Cost of a rule"). Keep in step with
-- 0032_soc_rule_state.pg.sql.
--
-- One row per rule and key, written in the transaction of the event that changed it, so every
-- process delivering events sees the same state. A row holds for the threshold and window it was
-- measured with; after a rule changes, the next event measures again. Deleting rows is always
-- safe: a key without a row is measured in full at its next event.
CREATE TABLE soc_rule_state (
    rule_id    TEXT NOT NULL,
    group_key  TEXT NOT NULL,
    threshold  INTEGER NOT NULL,
    window_ms  INTEGER NOT NULL,
    slack      INTEGER NOT NULL,          -- what later events may add before the window can reach
                                          -- the threshold; -1 once it has
    held_until TEXT NOT NULL DEFAULT '',  -- the window stays at or above the threshold until then
    value      INTEGER NOT NULL DEFAULT 0,-- the measure: as last counted, plus what came since
    updated_at TEXT NOT NULL,
    PRIMARY KEY (rule_id, group_key)
);
