#include "study/sqlite_db.h"

#include "study/study_errors.h"

#include <sqlite3.h>

namespace quantscope {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what)
{
    const int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
    const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        throw StoreBusyError("study file " + path + " is in use by another Quantscope process (" + message + ")");
    if (code == SQLITE_READONLY)
        throw StoreError("study file " + path + " is read-only: cannot change it (" + message + ")");
    throw StoreError("study file " + path + ": " + what + ": " + message);
}

} // namespace

SqliteDb::SqliteDb(const std::string& path, Access access) : path_(path)
{
    const int flags = (access == Access::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
        | (access == Access::Create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreError("cannot open study file " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
    // Verifies that this is a database before changing anything.
    try {
        execute("PRAGMA schema_version");
    } catch (const StoreError&) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreError("study file " + path + " is not a Quantscope study database");
    }
    readOnly_ = sqlite3_db_readonly(db_, "main") == 1;
    if (!readOnly_)
        execute("PRAGMA journal_mode=WAL");
    execute("PRAGMA foreign_keys=ON");
    execute("PRAGMA synchronous=NORMAL");
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
    while (step()) {
    }
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
