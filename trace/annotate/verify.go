package annotate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ErrBadKey marks a --key that holds no usable key.
var ErrBadKey = errors.New("unusable key")

// VerifyJWT checks a token's signature with an HMAC secret or a PEM key
// (a public key, a certificate, or a private key whose public half is
// used). Only the algorithm family the key fits is accepted, so a token
// cannot switch an RSA key into an HMAC secret ("alg confusion"). The
// time claims are not checked here: DecodeJWT's caller reports them.
func VerifyJWT(token string, secret []byte, keyPEM []byte) error {
	key, methods, err := verificationKey(secret, keyPEM)
	if err != nil {
		return err // ErrBadKey
	}
	_, err = jwt.Parse(token, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods(methods), jwt.WithoutClaimsValidation())
	if err != nil {
		return errors.New(verifyReason(err))
	}
	return nil
}

func verificationKey(secret, keyPEM []byte) (any, []string, error) {
	if secret != nil {
		return secret, []string{"HS256", "HS384", "HS512"}, nil
	}
	pub, err := publicKeyFromPEM(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	switch pub.(type) {
	case *rsa.PublicKey:
		return pub, []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}, nil
	case *ecdsa.PublicKey:
		return pub, []string{"ES256", "ES384", "ES512"}, nil
	case ed25519.PublicKey:
		return pub, []string{"EdDSA"}, nil
	}
	return nil, nil, fmt.Errorf("%w: a %T, which JWTs do not use", ErrBadKey, pub)
}

// publicKeyFromPEM reads the first PEM block that holds a key or a
// certificate and returns its public key.
func publicKeyFromPEM(b []byte) (crypto.PublicKey, error) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, errors.New("no public key, certificate or private key in the PEM file")
		}
		switch block.Type {
		case "PUBLIC KEY":
			return x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			return x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, err
			}
			return c.PublicKey, nil
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			k, err := parsePrivate(block)
			if err != nil {
				return nil, err
			}
			return k.(crypto.Signer).Public(), nil
		}
	}
}

func parsePrivate(block *pem.Block) (any, error) {
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	}
	return x509.ParsePKCS8PrivateKey(block.Bytes)
}

// verifyReason words a verification failure for people.
func verifyReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "the signature does not match: wrong secret or key, or the token was altered"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		msg := err.Error()
		if strings.Contains(msg, "signing method") {
			return "the token's alg does not fit the key given (an HMAC secret verifies HS*, a public key RS*/PS*/ES*/EdDSA)"
		}
		return msg
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed: " + err.Error()
	}
	return err.Error()
}
