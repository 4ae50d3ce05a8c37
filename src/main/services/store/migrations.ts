/**
 * Numbered schema migrations. Each runs once, in order, inside a transaction; the schema
 * version lives in `PRAGMA user_version`. Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE au_sets (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60),
  aus     TEXT NOT NULL CHECK (json_valid(aus) AND json_type(aus) = 'array' AND json_array_length(aus) > 0),
  builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
) STRICT;

CREATE TABLE videos (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL CHECK (length(path) > 0),
  content_hash TEXT NOT NULL UNIQUE CHECK (length(content_hash) > 0),
  subject      TEXT,
  fps          REAL NOT NULL CHECK (fps > 0),
  frame_count  INTEGER NOT NULL CHECK (frame_count >= 0),
  duration     REAL NOT NULL CHECK (duration >= 0),
  width        INTEGER NOT NULL CHECK (width > 0),
  height       INTEGER NOT NULL CHECK (height > 0),
  size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
  has_audio    INTEGER NOT NULL CHECK (has_audio IN (0, 1)),
  codec        TEXT,
  -- Seconds from container start to the first video frame; frame i sits at video_start + i / fps.
  video_start  REAL NOT NULL DEFAULT 0,
  variable_fps INTEGER NOT NULL DEFAULT 0 CHECK (variable_fps IN (0, 1)),
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'ingesting', 'ready', 'failed', 'missing')),
  error        TEXT,
  peaks        BLOB,
  added_at     TEXT NOT NULL
) STRICT;

-- One row per decoded frame: whether a face was found, and where.
CREATE TABLE frames (
  video_id  INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  idx       INTEGER NOT NULL CHECK (idx >= 0),
  face      INTEGER NOT NULL CHECK (face IN (0, 1)),
  score     REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
  box       BLOB,
  landmarks BLOB,
  PRIMARY KEY (video_id, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE sample_sets (
  id         INTEGER PRIMARY KEY,
  video_id   INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  strategy   TEXT NOT NULL CHECK (strategy IN ('random', 'stride')),
  percent    REAL NOT NULL CHECK (percent > 0 AND percent <= 100),
  seed       INTEGER NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE sampled_frames (
  sample_set_id INTEGER NOT NULL REFERENCES sample_sets (id) ON DELETE CASCADE,
  frame_idx     INTEGER NOT NULL CHECK (frame_idx >= 0),
  rank          INTEGER NOT NULL CHECK (rank >= 0),
  PRIMARY KEY (sample_set_id, frame_idx),
  UNIQUE (sample_set_id, rank)
) STRICT;

CREATE TABLE labels (
  video_id   INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  frame_idx  INTEGER NOT NULL CHECK (frame_idx >= 0),
  au         INTEGER NOT NULL CHECK (au BETWEEN 1 AND 99),
  annotator  TEXT NOT NULL CHECK (length(annotator) BETWEEN 1 AND 64),
  intensity  INTEGER NOT NULL CHECK (intensity BETWEEN 0 AND 5),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (video_id, frame_idx, au, annotator)
) STRICT;

-- Every change to a label is kept, written by triggers so no code path can skip it.
CREATE TABLE label_history (
  id            INTEGER PRIMARY KEY,
  video_id      INTEGER NOT NULL,
  frame_idx     INTEGER NOT NULL,
  au            INTEGER NOT NULL,
  annotator     TEXT NOT NULL,
  old_intensity INTEGER,
  new_intensity INTEGER,
  changed_at    TEXT NOT NULL
) STRICT;
CREATE INDEX label_history_by_frame ON label_history (video_id, frame_idx);

CREATE TRIGGER labels_history_insert AFTER INSERT ON labels BEGIN
  INSERT INTO label_history (video_id, frame_idx, au, annotator, old_intensity, new_intensity, changed_at)
  VALUES (NEW.video_id, NEW.frame_idx, NEW.au, NEW.annotator, NULL, NEW.intensity, NEW.updated_at);
END;
CREATE TRIGGER labels_history_update AFTER UPDATE OF intensity ON labels
WHEN OLD.intensity IS NOT NEW.intensity BEGIN
  INSERT INTO label_history (video_id, frame_idx, au, annotator, old_intensity, new_intensity, changed_at)
  VALUES (NEW.video_id, NEW.frame_idx, NEW.au, NEW.annotator, OLD.intensity, NEW.intensity, NEW.updated_at);
END;
CREATE TRIGGER labels_history_delete AFTER DELETE ON labels BEGIN
  INSERT INTO label_history (video_id, frame_idx, au, annotator, old_intensity, new_intensity, changed_at)
  VALUES (OLD.video_id, OLD.frame_idx, OLD.au, OLD.annotator, OLD.intensity, NULL,
          strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (length(kind) > 0),
  state       TEXT NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  params      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  progress    REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  message     TEXT,
  eta_seconds REAL,
  log         TEXT NOT NULL DEFAULT '',
  error       TEXT,
  created_at  TEXT NOT NULL,
  started_at  TEXT,
  finished_at TEXT
) STRICT;

CREATE TABLE models (
  id         INTEGER PRIMARY KEY,
  stage      TEXT NOT NULL CHECK (stage IN ('pretrain', 'finetune')),
  parent_id  INTEGER REFERENCES models (id) ON DELETE SET NULL,
  name       TEXT NOT NULL,
  checkpoint TEXT NOT NULL,
  params     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  metrics    TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  backend    TEXT,
  created_at TEXT NOT NULL
) STRICT;

-- Compact: one float32 blob per model x video, AU-major, NaN where the frame has no face.
CREATE TABLE predictions (
  model_id    INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  video_id    INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  aus         TEXT NOT NULL CHECK (json_valid(aus)),
  frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
  data        BLOB NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (model_id, video_id)
) STRICT;
`,
  },
  {
    version: 2,
    name: 'double coding and imported OpenFace tracks',
    sql: `
-- Double coding: per video, a seeded subset of its sampled frames set aside for a second coder.
-- The frames are stored (not recomputed), so growing the share never drops a frame already coded.
CREATE TABLE double_coding (
  video_id   INTEGER PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
  percent    REAL NOT NULL CHECK (percent > 0 AND percent <= 100),
  seed       INTEGER NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE double_coded_frames (
  video_id  INTEGER NOT NULL REFERENCES double_coding (video_id) ON DELETE CASCADE,
  frame_idx INTEGER NOT NULL CHECK (frame_idx >= 0),
  PRIMARY KEY (video_id, frame_idx)
) STRICT, WITHOUT ROWID;

-- Agreement joins two coders' labels on (video, frame, AU).
CREATE INDEX labels_by_annotator ON labels (annotator, video_id, frame_idx, au);

-- An OpenFace 2 FeatureExtraction track imported for a video: read-only, one per video.
-- data: float32 AU-major like predictions, NaN where OpenFace reported success 0.
CREATE TABLE openface_tracks (
  video_id    INTEGER PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
  source      TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 4096),
  aus         TEXT NOT NULL CHECK (json_valid(aus) AND json_type(aus) = 'array' AND json_array_length(aus) > 0),
  frame_count INTEGER NOT NULL CHECK (frame_count > 0),
  fps         REAL NOT NULL CHECK (fps > 0),
  faces       INTEGER NOT NULL CHECK (faces >= 0),
  data        BLOB NOT NULL,
  imported_at TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 3,
    name: 'neutral reference marks',
    sql: `
-- Frames a coder marked as the person's neutral face. A mark belongs to a video; the person is
-- the video's subject at the time of use, so the marks of all of a subject's videos together
-- make that subject's reference (and follow a video whose subject is changed).
CREATE TABLE neutral_marks (
  id          INTEGER PRIMARY KEY,
  video_id    INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  first_frame INTEGER NOT NULL CHECK (first_frame >= 0),
  last_frame  INTEGER NOT NULL CHECK (last_frame >= first_frame),
  coder       TEXT NOT NULL CHECK (length(coder) BETWEEN 1 AND 64),
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX neutral_marks_by_video ON neutral_marks (video_id, first_frame);
`,
  },
  {
    version: 4,
    name: 'suggested sample sets',
    sql: `
-- Suggested frames (ranked by a finetuned model) are a sample set of their own strategy, and
-- remember that model. SQLite cannot widen a CHECK in place: the table is rebuilt (migrate()
-- runs with foreign keys off and checks them before committing, so sampled_frames keep their rows).
CREATE TABLE sample_sets_v4 (
  id         INTEGER PRIMARY KEY,
  video_id   INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  strategy   TEXT NOT NULL CHECK (strategy IN ('random', 'stride', 'suggested')),
  percent    REAL NOT NULL CHECK (percent > 0 AND percent <= 100),
  seed       INTEGER NOT NULL,
  -- The model whose predictions ranked a suggested set; NULL for the others, or once it is deleted.
  model_id   INTEGER REFERENCES models (id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  CHECK (strategy = 'suggested' OR model_id IS NULL)
) STRICT;
INSERT INTO sample_sets_v4 (id, video_id, strategy, percent, seed, created_at)
  SELECT id, video_id, strategy, percent, seed, created_at FROM sample_sets;
DROP TABLE sample_sets;
ALTER TABLE sample_sets_v4 RENAME TO sample_sets;
`,
  },
  {
    version: 5,
    name: 'source fingerprints',
    sql: `
-- A video's source file is known by its fingerprint: size_bytes and content_hash (the size and
-- the first, middle and last MiB) from the import, and now its modification time, so a check can
-- stat the file and hash it again only when the time moved. NULL: not yet seen (rows from before
-- this version get it at the next open, after their content hash is compared).
ALTER TABLE videos ADD COLUMN source_mtime_ms REAL;
`,
  },
  {
    version: 6,
    name: 'sample spacing',
    sql: `
-- A random sample may keep its frames at least min_gap frames apart (0: no rule), so it does not
-- spend labels on adjacent, near-identical frames; growing the set keeps the same spacing.
ALTER TABLE sample_sets ADD COLUMN min_gap INTEGER NOT NULL DEFAULT 0 CHECK (min_gap >= 0);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
