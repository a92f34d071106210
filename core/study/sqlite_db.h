#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace quantscope {

/// A thin RAII layer over SQLite: failures become StoreError with SQLite's message and the file.
class SqliteDb {
public:
    enum class Access { Create, ReadWrite, ReadOnly };
    /// Opens `path` with a busy timeout, read-only when asked for or write-protected (SQLite then
    /// opens it for reading only). A database in a read-only directory or mount opens for reading
    /// as immutable; for writing it is refused saying so. StoreError when it is not a database.
    SqliteDb(const std::string& path, Access access);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    /// Write-ahead logging (readers beside one writer), unless read-only. Called once the file is
    /// known to be a study: the mode is stored in the file, which a foreign database must not get.
    void useWriteAheadLog();
    /// Closes the connection early (before removing a file that failed to become a study).
    void close();
    void execute(const std::string& sql);
    int64_t lastInsertId() const;
    int changes() const; ///< rows changed by the last statement
    const std::string& path() const { return path_; }
    bool readOnly() const { return readOnly_; }
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::string path_;
    bool readOnly_ = false;
};

/// A prepared statement; bind with 1-based indices, step through rows.
class SqliteStatement {
public:
    SqliteStatement(SqliteDb& db, const std::string& sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    SqliteStatement& bind(int index, int64_t value);
    SqliteStatement& bind(int index, double value);
    SqliteStatement& bind(int index, const std::string& value);
    SqliteStatement& bindNull(int index);
    SqliteStatement& bind(int index, const std::optional<double>& value);

    /// Advances; true while a row is available.
    bool step();
    /// Runs a statement that returns no rows.
    void run();
    /// Makes the statement ready to run again with new bindings.
    void reset();

    int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;

private:
    SqliteDb& db_;
    sqlite3_stmt* statement_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back if the scope is left by an exception.
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDb& db);
    ~SqliteTransaction();
    void commit();

private:
    SqliteDb& db_;
    bool done_ = false;
};

} // namespace quantscope
