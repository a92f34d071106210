#include "study/study_store.h"

#include "study/process_identity.h"
#include "study/study_errors.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>

namespace quantscope {
namespace {

const char* const kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// Version 1: studies, their layer inventory, trials and run locks.
const char* const kSchemaV1 = R"sql(
CREATE TABLE studies(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  spec TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE layers(
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  weight_shape TEXT NOT NULL,
  weight_count INTEGER NOT NULL,
  bias_count INTEGER NOT NULL,
  output_positions INTEGER NOT NULL,
  macs INTEGER NOT NULL,
  groups_ INTEGER NOT NULL,
  takes_image INTEGER NOT NULL,
  PRIMARY KEY(study_id, position));
CREATE TABLE trials(
  id INTEGER PRIMARY KEY,
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  config TEXT NOT NULL,
  task INTEGER NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('pending', 'running', 'done', 'failed')),
  accuracy REAL, memory_mb REAL, bops REAL, seconds REAL,
  error TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT);
CREATE INDEX trials_by_study ON trials(study_id, status);
CREATE TABLE run_locks(
  study_id INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL);
)sql";

/// Version 2: results stored with a study (sensitivity reports, ...).
const char* const kSchemaV2 = R"sql(
CREATE TABLE study_artifacts(
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY(study_id, kind));
)sql";

/// Version 3: a run lock names its holder by boot and start time too (ProcessIdentity), so a PID
/// reused by another process, or seen from another PID namespace, is not taken for the holder.
const char* const kSchemaV3 = R"sql(
ALTER TABLE run_locks ADD COLUMN holder TEXT NOT NULL DEFAULT '';
)sql";

/// Version 4: the queue job a trial runs as (the Slurm executor), stored before it is marked running,
/// so that a runner that died re-attaches to it instead of submitting it again.
const char* const kSchemaV4 = R"sql(
ALTER TABLE trials ADD COLUMN job TEXT NOT NULL DEFAULT '';
)sql";

std::string hostName()
{
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

TrialStatus parseStatus(const std::string& s)
{
    if (s == "running")
        return TrialStatus::Running;
    if (s == "done")
        return TrialStatus::Done;
    if (s == "failed")
        return TrialStatus::Failed;
    return TrialStatus::Pending;
}

std::optional<double> optionalReal(const SqliteStatement& row, int column)
{
    return row.isNull(column) ? std::nullopt : std::optional<double>(row.real(column));
}

} // namespace

std::string trialStatusName(TrialStatus status)
{
    switch (status) {
    case TrialStatus::Pending: return "pending";
    case TrialStatus::Running: return "running";
    case TrialStatus::Done: return "done";
    case TrialStatus::Failed: return "failed";
    }
    return "pending";
}

namespace {
const std::string& requireExisting(const std::string& path, SqliteDb::Access mode)
{
    if (mode != SqliteDb::Access::Create && access(path.c_str(), F_OK) != 0)
        throw StoreError("study file not found: " + path);
    return path;
}
} // namespace

StudyStore::StudyStore(const std::string& path, bool create) :
    StudyStore(path, create ? SqliteDb::Access::Create : SqliteDb::Access::ReadWrite)
{
}

StudyStore::StudyStore(const std::string& path, SqliteDb::Access mode) :
    created_(mode == SqliteDb::Access::Create && access(path.c_str(), F_OK) != 0),
    db_(requireExisting(path, mode), mode)
{
    try {
        migrate();
        db_.useWriteAheadLog();
    } catch (...) {
        discardCreatedFile();
        throw;
    }
}

StudyStore::~StudyStore()
{
    discardCreatedFile();
}

void StudyStore::discardCreatedFile()
{
    if (!created_)
        return;
    db_.close();
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
        std::remove((db_.path() + suffix).c_str());
    created_ = false;
}

StudyStore StudyStore::openForReading(const std::string& path)
{
    return StudyStore(path, SqliteDb::Access::ReadOnly);
}

void StudyStore::migrate()
{
    const auto readVersion = [this] {
        SqliteStatement version(db_, "PRAGMA user_version");
        version.step();
        return int(version.integer(0));
    };
    int current = readVersion();
    schemaVersion_ = current;
    if (current > kSchemaVersion)
        throw StoreError("study file " + db_.path() + " has schema version " + std::to_string(current)
                         + ", newer than this Quantscope understands (" + std::to_string(kSchemaVersion) + ")");
    if (db_.readOnly()) {
        if (current == 0)
            throw StoreError("file " + db_.path() + " is an SQLite database but not a Quantscope study file");
        if (current < 2) // readers need version 2's tables; version 3 changed only the run lock
            throw StoreError("study file " + db_.path() + " is read-only and needs migrating from schema version "
                             + std::to_string(current) + ": make it writable once");
        return;
    }
    if (current == kSchemaVersion)
        return;
    SqliteTransaction transaction(db_);
    current = readVersion(); // another process may have migrated it meanwhile
    schemaVersion_ = current;
    if (current == kSchemaVersion)
        return;
    if (current == 0) {
        SqliteStatement tables(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
        tables.step();
        if (tables.integer(0) > 0)
            throw StoreError("file " + db_.path() + " is an SQLite database but not a Quantscope study file");
        db_.execute(kSchemaV1);
    }
    if (current < 2)
        db_.execute(kSchemaV2);
    if (current < 3)
        db_.execute(kSchemaV3);
    if (current < 4)
        db_.execute(kSchemaV4);
    db_.execute("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    transaction.commit();
    schemaVersion_ = kSchemaVersion;
}

int64_t StudyStore::createStudy(const StudySpec& spec, const std::vector<LayerInfo>& layers)
{
    try {
        const int64_t id = insertStudy(spec, layers);
        created_ = false; // it holds a study now
        return id;
    } catch (...) {
        discardCreatedFile(); // the file this store made holds no study: leave nothing behind
        throw;
    }
}

int64_t StudyStore::insertStudy(const StudySpec& spec, const std::vector<LayerInfo>& layers)
{
    spec.validate();
    SqliteTransaction transaction(db_);
    {
        SqliteStatement exists(db_, "SELECT 1 FROM studies WHERE name = ?");
        exists.bind(1, spec.name);
        if (exists.step())
            throw StoreError("study '" + spec.name + "' already exists in " + db_.path());
    }
    SqliteStatement insert(db_, std::string("INSERT INTO studies(name, spec, created_at) VALUES(?, ?, ") + kNow + ")");
    insert.bind(1, spec.name).bind(2, spec.toJson()).run();
    const int64_t id = db_.lastInsertId();
    SqliteStatement row(db_, "INSERT INTO layers VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerInfo& l = layers[i];
        row.reset();
        row.bind(1, id)
            .bind(2, int64_t(i))
            .bind(3, l.name)
            .bind(4, layerKindName(l.kind))
            .bind(5, nlohmann::json(l.weightShape).dump())
            .bind(6, l.weightCount)
            .bind(7, l.biasCount)
            .bind(8, l.outputPositions)
            .bind(9, l.macs)
            .bind(10, l.groups)
            .bind(11, int64_t(l.takesImage));
        row.run();
    }
    transaction.commit();
    return id;
}

void StudyStore::setBudget(const std::string& name, std::optional<int> trials, std::optional<double> cost)
{
    SqliteTransaction transaction(db_);
    StudySpec spec = loadStudy(name).spec;
    spec.budgetTrials = trials;
    spec.budgetCost = cost;
    spec.validate();
    SqliteStatement update(db_, "UPDATE studies SET spec = ? WHERE name = ?");
    update.bind(1, spec.toJson()).bind(2, name).run();
    transaction.commit();
}

std::vector<std::string> StoredStudy::layerNames() const
{
    std::vector<std::string> names;
    for (const LayerInfo& l : layers)
        names.push_back(l.name);
    return names;
}

BitConfig StoredStudy::parseConfig(const std::string& text) const
{
    return BitConfig::parse(text, layerNames());
}

void StoredStudy::requireFits(const BitConfig& bits) const
{
    if (bits.size() != layers.size())
        throw ConfigError("the configuration has " + std::to_string(bits.size()) + " layers, study '" + spec.name
                          + "' has " + std::to_string(layers.size()));
}

std::vector<std::string> StudyStore::studyNames()
{
    std::vector<std::string> names;
    SqliteStatement query(db_, "SELECT name FROM studies ORDER BY id");
    while (query.step())
        names.push_back(query.text(0));
    return names;
}

StoredStudy StudyStore::loadStudy(const std::string& name)
{
    StoredStudy study;
    SqliteStatement query(db_, "SELECT id, spec FROM studies WHERE name = ?");
    query.bind(1, name);
    if (!query.step()) {
        std::string known;
        for (const std::string& n : studyNames())
            known += (known.empty() ? "" : ", ") + n;
        throw StoreError("no study '" + name + "' in " + db_.path()
                         + (known.empty() ? "" : " (it has: " + known + ")"));
    }
    study.id = query.integer(0);
    study.spec = StudySpec::fromJson(query.text(1));
    SqliteStatement layers(db_,
                           "SELECT name, kind, weight_shape, weight_count, bias_count, output_positions, macs, "
                           "groups_, takes_image FROM layers WHERE study_id = ? ORDER BY position");
    layers.bind(1, study.id);
    while (layers.step()) {
        LayerInfo l;
        l.name = layers.text(0);
        l.kind = layers.text(1) == "linear" ? LayerKind::Linear : LayerKind::Conv2d;
        l.weightShape = nlohmann::json::parse(layers.text(2)).get<std::vector<int64_t>>();
        l.weightCount = layers.integer(3);
        l.biasCount = layers.integer(4);
        l.outputPositions = layers.integer(5);
        l.macs = layers.integer(6);
        l.groups = layers.integer(7);
        l.takesImage = layers.integer(8) != 0;
        study.layers.push_back(std::move(l));
    }
    return study;
}

int64_t StudyStore::addPendingTrial(int64_t studyId, const BitConfig& bits, int task, const std::string& reason)
{
    SqliteStatement insert(db_,
                           std::string("INSERT INTO trials(study_id, config, task, status, reason, created_at) "
                                       "VALUES(?, ?, ?, 'pending', ?, ")
                               + kNow + ")");
    insert.bind(1, studyId).bind(2, bits.toString()).bind(3, int64_t(task)).bind(4, reason).run();
    return db_.lastInsertId();
}

void StudyStore::markRunning(int64_t trialId)
{
    SqliteStatement update(db_,
                           std::string("UPDATE trials SET status = 'running', started_at = ") + kNow
                               + " WHERE id = ? AND status = 'pending'");
    update.bind(1, trialId).run();
}

void StudyStore::completeTrial(int64_t trialId, const TrialResult& result)
{
    SqliteTransaction transaction(db_);
    SqliteStatement update(db_,
                           std::string("UPDATE trials SET status = 'done', accuracy = ?, memory_mb = ?, bops = ?, "
                                       "seconds = ?, error = '', finished_at = ")
                               + kNow + " WHERE id = ?");
    update.bind(1, result.accuracy)
        .bind(2, result.memoryMB)
        .bind(3, result.bops)
        .bind(4, result.seconds)
        .bind(5, trialId);
    update.run();
    transaction.commit();
}

void StudyStore::failTrial(int64_t trialId, const std::string& error, double seconds)
{
    SqliteStatement update(db_,
                           std::string("UPDATE trials SET status = 'failed', error = ?, seconds = ?, finished_at = ")
                               + kNow + " WHERE id = ?");
    update.bind(1, error).bind(2, seconds).bind(3, trialId).run();
}

int StudyStore::requeueRunning(int64_t studyId, bool keepJobs)
{
    SqliteStatement update(db_,
                           std::string("UPDATE trials SET status = 'pending', started_at = NULL")
                               + (keepJobs ? "" : ", job = ''") + " WHERE study_id = ? AND status = 'running'");
    update.bind(1, studyId).run();
    return db_.changes();
}

void StudyStore::setTrialJob(int64_t trialId, const std::string& job)
{
    SqliteStatement update(db_, "UPDATE trials SET job = ? WHERE id = ?");
    update.bind(1, job).bind(2, trialId).run();
}

std::vector<std::string> StudyStore::layerNames(int64_t studyId)
{
    std::vector<std::string> names;
    SqliteStatement query(db_, "SELECT name FROM layers WHERE study_id = ? ORDER BY position");
    query.bind(1, studyId);
    while (query.step())
        names.push_back(query.text(0));
    return names;
}

std::vector<TrialRow> StudyStore::trials(int64_t studyId)
{
    const std::vector<std::string> names = layerNames(studyId);
    std::vector<TrialRow> rows;
    SqliteStatement query(db_,
                          "SELECT id, config, task, status, accuracy, memory_mb, bops, seconds, error, reason, "
                          "created_at, coalesce(started_at, ''), coalesce(finished_at, ''), "
                              + std::string(schemaVersion_ >= 4 ? "job" : "''")
                              + " FROM trials "
                                "WHERE study_id = ? ORDER BY id");
    query.bind(1, studyId);
    while (query.step()) {
        TrialRow row;
        row.id = query.integer(0);
        try {
            row.bits = BitConfig::parse(query.text(1), names);
        } catch (const ConfigError& e) {
            throw StoreError(path() + ": trial " + std::to_string(row.id)
                             + " has a damaged configuration: " + e.what());
        }
        row.task = int(query.integer(2));
        row.status = parseStatus(query.text(3));
        row.accuracy = optionalReal(query, 4);
        row.memoryMB = optionalReal(query, 5);
        row.bops = optionalReal(query, 6);
        row.seconds = optionalReal(query, 7);
        row.error = query.text(8);
        row.reason = query.text(9);
        row.createdAt = query.text(10);
        row.startedAt = query.text(11);
        row.finishedAt = query.text(12);
        row.job = query.text(13);
        rows.push_back(std::move(row));
    }
    return rows;
}

void StudyStore::saveArtifact(int64_t studyId, const std::string& kind, const std::string& json)
{
    SqliteStatement save(db_, std::string("INSERT OR REPLACE INTO study_artifacts VALUES(?, ?, ?, ") + kNow + ")");
    save.bind(1, studyId).bind(2, kind).bind(3, json).run();
}

std::optional<std::string> StudyStore::artifact(int64_t studyId, const std::string& kind)
{
    SqliteStatement query(db_, "SELECT content FROM study_artifacts WHERE study_id = ? AND kind = ?");
    query.bind(1, studyId).bind(2, kind);
    if (!query.step())
        return std::nullopt;
    return query.text(0);
}

void StudyStore::removeArtifact(int64_t studyId, const std::string& kind)
{
    SqliteStatement remove(db_, "DELETE FROM study_artifacts WHERE study_id = ? AND kind = ?");
    remove.bind(1, studyId).bind(2, kind).run();
}

StudyStore::RunLock::RunLock(StudyStore& store, int64_t studyId) : store_(store), studyId_(studyId)
{
    SqliteTransaction transaction(store_.db_);
    const ProcessIdentity self = currentProcess();
    SqliteStatement holder(store_.db_, "SELECT pid, host, holder FROM run_locks WHERE study_id = ?");
    holder.bind(1, studyId);
    if (holder.step()) {
        const ProcessIdentity other = ProcessIdentity::parse(holder.integer(0), holder.text(2));
        const std::string host = holder.text(1);
        const bool itself = other.pid == self.pid && other.text() == self.text();
        if (host != hostName() || (!itself && processAlive(other)))
            throw StoreBusyError("study is being run by process " + std::to_string(other.pid) + " on " + host
                                 + "; stop it first (its lock is in " + store_.db_.path() + ")");
    }
    SqliteStatement take(store_.db_,
                         std::string("INSERT OR REPLACE INTO run_locks(study_id, pid, host, acquired_at, "
                                     "holder) VALUES(?, ?, ?, ")
                             + kNow + ", ?)");
    take.bind(1, studyId).bind(2, self.pid).bind(3, hostName()).bind(4, self.text()).run();
    transaction.commit();
}

StudyStore::RunLock::~RunLock()
{
    try {
        SqliteStatement release(store_.db_, "DELETE FROM run_locks WHERE study_id = ? AND pid = ?");
        release.bind(1, studyId_).bind(2, int64_t(getpid())).run();
    } catch (...) {
    }
}

} // namespace quantscope
