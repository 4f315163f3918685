/*
 * err.h — the one error convention of dinhdanh.
 *
 * Functions that can fail return int: 0 (DD_OK) on success, a negative DD_E… code on failure.
 * Handlers return DD_DONE once a reply has been queued (an error reply included); a handler that
 * returns a negative code without replying gets a problem+json reply chosen from the code.
 */
#ifndef DD_BASE_ERR_H
#define DD_BASE_ERR_H

enum dd_err {
    DD_OK = 0,
    DD_EINVAL = -1,     /* bad input from the caller */
    DD_ENOTFOUND = -2,  /* the thing asked for does not exist */
    DD_EEXIST = -3,     /* it already exists */
    DD_ETOOBIG = -4,    /* a bound was reached */
    DD_EIO = -5,        /* file or network I/O failed */
    DD_EDB = -6,        /* the database reported an error */
    DD_EBUSY = -7,      /* the database stayed locked past its timeout */
    DD_ECONFLICT = -8,  /* a concurrent change or a constraint */
    DD_ECHECKSUM = -9,  /* stored data does not match its checksum */
    DD_EDENIED = -10,   /* not allowed */
    DD_EUNAVAIL = -11,  /* a dependency is down */
    DD_EINTERNAL = -12, /* a defect: should not happen */
    DD_ELATER = -13     /* not now: the same comes again later (an event consumer deferring) */
};

#define DD_DONE 0

/* Returns a short English name for an error code ("invalid input", …); never NULL. */
const char *dd_strerror(int rc);

#endif
