/*
 * pace.h — Password Authenticated Connection Establishment (ICAO 9303 Part 11 §4.4, BSI
 * TR-03110) through OpenPACE (libeac): the terminal reads EF.CardAccess (its PACEInfo names the
 * protocol and the domain parameters), sends MSE:Set AT, runs the four General Authenticate
 * steps (encrypted nonce, mapping, key agreement, authentication tokens) and then protects
 * every command with secure messaging in the protocol's cipher (AES for the Vietnamese card)
 * through sm.h. The password is the MRZ information (K = SHA-1 of it) or the CAN, which for the
 * Vietnamese card is the last 6 digits of the ID number.
 */
#ifndef DD_CARD_PACE_H
#define DD_CARD_PACE_H

#include "card/emrtd.h"

#include <stddef.h>

enum dd_pace_password { DD_PACE_MRZ = 1, DD_PACE_CAN = 2 };

#define DD_EMRTD_FID_CARD_ACCESS 0x011C

/* Reads EF.CardAccess (from the master file: call before SELECT of the application, without
 * secure messaging). Returns as dd_emrtd_read_file; DD_ENOTFOUND: the chip has no PACE. */
int dd_emrtd_read_card_access(struct dd_emrtd *e, unsigned char **data, size_t *len);

/* Runs PACE with the first PACEInfo of EF.CardAccess card_access[0..n) (generic or integrated
 * mapping, DH or ECDH, 3DES or AES, as OpenPACE supports them). `secret` is the MRZ information
 * (dd_mrz_bac_info) for DD_PACE_MRZ, the CAN digits for DD_PACE_CAN. On success secure
 * messaging is on with the new keys and e->access is "PACE". Returns DD_OK; DD_EDENIED when the
 * chip refused the password (wrong MRZ or CAN) or its token does not verify; DD_EINVAL when
 * EF.CardAccess holds no PACEInfo OpenPACE supports or a step's answer is malformed;
 * DD_EUNAVAIL when the card is lost. e->error says which step. */
int dd_emrtd_pace(struct dd_emrtd *e, const unsigned char *card_access, size_t n,
                  enum dd_pace_password type, const char *secret);

#endif
