#pragma once

#include <stdexcept>
#include <string>

namespace quantscope {

/// Base of every expected failure core reports: the message names the file, field or value
/// that is wrong and is meant to be shown to a user as it is.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A data set file is missing, truncated or not in the expected format.
class DataError : public Error {
public:
    using Error::Error;
};

/// A model file is unreadable, or a network does not fit the data it is given.
class ModelError : public Error {
public:
    using Error::Error;
};

/// A bit configuration or another user setting is invalid.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// A numerical method failed on the data it was given (e.g. a covariance matrix that stays
/// singular with jitter).
class NumericalError : public Error {
public:
    using Error::Error;
};

/// Long work was stopped through its cancel token.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace quantscope
