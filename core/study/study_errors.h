#pragma once

#include "common/error.h"

namespace quantscope {

/// The study database cannot be read or written.
class StoreError : public Error {
public:
    using Error::Error;
};

/// Another process holds the study database (or the study) for writing.
class StoreBusyError : public StoreError {
public:
    using StoreError::StoreError;
};

} // namespace quantscope
