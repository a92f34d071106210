#include "study/sqlite_db.h"

#include "study/study_errors.h"

#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>

namespace quantscope {
namespace {

/// Bytes free to this user on the file system holding `path`'s directory; -1 when unknown.
int64_t freeBytes(const std::string& path)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    struct statvfs info;
    if (statvfs(parent.empty() ? "." : parent.c_str(), &info) != 0)
        return -1;
    return int64_t(info.f_bavail) * int64_t(info.f_frsize);
}

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what)
{
    const int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
    const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    // A full disk shows as SQLITE_FULL, or as an I/O error when the write-ahead log or its shared
    // memory cannot grow.
    const int64_t free = code == SQLITE_IOERR ? freeBytes(path) : -1;
    if (code == SQLITE_IOERR && free >= 0 && free < (1 << 20))
        throw StoreError("study file " + path + ": the disk holding it is full (" + std::to_string(free >> 10)
                         + " KiB free; " + what + ": " + message + ")");
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        throw StoreBusyError("study file " + path + " is in use by another Quantscope process (" + message + ")");
    if (code == SQLITE_READONLY)
        throw StoreError("study file " + path + " is read-only: cannot change it (" + message + ")");
    if (code == SQLITE_FULL)
        throw StoreError("study file " + path + ": the disk holding it is full (" + what + ")");
    throw StoreError("study file " + path + ": " + what + ": " + message);
}

/// Whether the directory holding `path` takes new files (SQLite's -wal and -shm live there).
bool directoryWritable(const std::string& path)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return access(parent.empty() ? "." : parent.c_str(), W_OK) == 0;
}

sqlite3* open(const std::string& uri, int flags)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(uri.c_str(), &db, flags | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
        const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw StoreError("cannot open study file " + uri + ": " + message);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/// SQLite's result for a first read: whether the file is a database it can read here.
int probe(sqlite3* db)
{
    return sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
}

std::string fileUri(const std::string& path, const std::string& parameters)
{
    std::string uri = "file:";
    for (char c : path) { // percent-encode what a URI reserves
        if (c == '%' || c == '?' || c == '#')
            uri += c == '%' ? "%25" : c == '?' ? "%3f" : "%23";
        else
            uri += c;
    }
    return uri + parameters;
}

} // namespace

SqliteDb::SqliteDb(const std::string& path, Access access) : path_(path)
{
    const int flags = (access == Access::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
        | (access == Access::Create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    db_ = open(fileUri(path, ""), flags);
    // Verifies that this is a database before changing anything.
    const int code = probe(db_) & 0xff;
    if (code != SQLITE_OK) {
        const std::string message = sqlite3_errmsg(db_);
        close();
        const bool cannotShare = (code == SQLITE_CANTOPEN || code == SQLITE_READONLY) && !directoryWritable(path);
        if (cannotShare && access == Access::ReadOnly) {
            // A read-only directory or mount: nobody can be writing the study, and SQLite cannot
            // create the shared-memory file it reads a write-ahead-logged database through.
            db_ = open(fileUri(path, "?immutable=1"), SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX);
            if (probe(db_) == SQLITE_OK) {
                readOnly_ = true;
                return;
            }
            close();
        }
        if (cannotShare)
            throw StoreError("study file " + path
                             + " is in a read-only directory or file system: SQLite needs to "
                               "create "
                             + path + "-wal and " + path
                             + "-shm beside it to change the study; copy it "
                               "somewhere writable (commands that only read, such as status, pareto and export, "
                               "work where it is)");
        if (code == SQLITE_NOTADB)
            throw StoreError("study file " + path + " is not a Quantscope study database");
        throw StoreError("cannot read study file " + path + ": " + message);
    }
    readOnly_ = sqlite3_db_readonly(db_, "main") == 1;
    execute("PRAGMA foreign_keys=ON");
    execute("PRAGMA synchronous=NORMAL");
}

void SqliteDb::useWriteAheadLog()
{
    if (!readOnly_)
        execute("PRAGMA journal_mode=WAL");
}

void SqliteDb::close()
{
    sqlite3_close(db_);
    db_ = nullptr;
}

SqliteDb::~SqliteDb()
{
    sqlite3_close(db_);
}

void SqliteDb::execute(const std::string& sql)
{
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        sqlite3_free(error);
        fail(db_, path_, "cannot run '" + sql.substr(0, 40) + "'");
    }
}

int64_t SqliteDb::lastInsertId() const
{
    return sqlite3_last_insert_rowid(db_);
}

int SqliteDb::changes() const
{
    return sqlite3_changes(db_);
}

SqliteStatement::SqliteStatement(SqliteDb& db, const std::string& sql) : db_(db)
{
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK)
        fail(db.handle(), db.path(), "cannot prepare '" + sql.substr(0, 40) + "'");
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(statement_);
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value)
{
    sqlite3_bind_int64(statement_, index, value);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value)
{
    sqlite3_bind_double(statement_, index, value);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::string& value)
{
    sqlite3_bind_text(statement_, index, value.c_str(), int(value.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement& SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(statement_, index);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<double>& value)
{
    return value ? bind(index, *value) : bindNull(index);
}

bool SqliteStatement::step()
{
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW)
        return true;
    if (code == SQLITE_DONE)
        return false;
    fail(db_.handle(), db_.path(), "statement failed");
}

void SqliteStatement::run()
{
    while (step()) {}
}

void SqliteStatement::reset()
{
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

int64_t SqliteStatement::integer(int column) const
{
    return sqlite3_column_int64(statement_, column);
}

double SqliteStatement::real(int column) const
{
    return sqlite3_column_double(statement_, column);
}

std::string SqliteStatement::text(int column) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return p ? std::string(p) : std::string();
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db)
{
    db_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction()
{
    if (!done_) {
        try {
            db_.execute("ROLLBACK");
        } catch (...) {
        }
    }
}

void SqliteTransaction::commit()
{
    db_.execute("COMMIT");
    done_ = true;
}

} // namespace quantscope
