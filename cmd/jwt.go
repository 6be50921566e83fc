package cmd

import (
	"errors"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render/jwt"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/curlargs"
)

func newCmdJWT(ios *IO) *cobra.Command {
	var secret, keyFile string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "jwt <token> | -",
		Short: "Decode a JWT offline, and verify it with --secret or --key",
		Long: `Jwt decodes a JSON Web Token -- header, claims, the times as dates and how
long ago or until -- and flags what servers reject: alg "none", a missing
or past exp, a future nbf. With --secret (HS256/384/512) or --key (a PEM
public key, certificate or private key, for RS*, PS*, ES* and EdDSA) it
checks the signature. The signature itself is never printed. "Bearer "
in front of the token is ignored; "-" reads it from stdin.`,
		Example: `  reqtrace jwt eyJhbGciOi...
  reqtrace jwt --secret s3cr3t "$TOKEN"
  reqtrace jwt --key public.pem --json - < token.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			style, err := (&traceFlags{}).style(ios)
			if err != nil {
				return err
			}
			token := args[0]
			if token == "-" {
				b, err := curlargs.ReadInput("jwt", "-", ios.In, maxJWT)
				if err != nil {
					return err
				}
				token = string(b)
			}
			token = strings.TrimSpace(token)
			token = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(token, "Bearer "), "bearer "))
			decoded, err := annotate.DecodeJWT(token)
			if errors.Is(err, annotate.ErrJWTEncrypted) {
				// A JWE: its protected header is shown, marked encrypted.
				if secret != "" || keyFile != "" {
					return trace.BadInput("the token is a JWE (encrypted, five parts): --secret and --key check the signature of a signed JWT; reqtrace does not decrypt")
				}
			} else if err != nil {
				return trace.BadInput("the token does not decode: %v", err)
			}
			rep := jwt.Report{Token: decoded, Now: time.Now()}
			if err := verifyJWT(&rep, token, secret, keyFile); err != nil {
				return err
			}
			if jsonOut {
				err = jwt.JSON(ios.Out, rep)
			} else {
				err = jwt.Text(ios.Out, rep, style)
			}
			if err != nil {
				return err
			}
			if rep.Verified != nil && !*rep.Verified {
				return &exitError{code: ExitFailure, msg: "reqtrace: the signature does not verify"}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&secret, "secret", "", "`SECRET` of HMAC, to verify HS256/HS384/HS512 tokens")
	f.StringVar(&keyFile, "key", "", "`FILE` (PEM: public key, certificate or private key) to verify RS*, PS*, ES* or EdDSA tokens")
	f.BoolVar(&jsonOut, "json", false, "print one JSON document (schema reqtrace.jwt/v1)")
	c.MarkFlagsMutuallyExclusive("secret", "key")
	return c
}

// verifyJWT fills in the verification when a secret or key was given.
func verifyJWT(rep *jwt.Report, token, secret, keyFile string) error {
	if secret == "" && keyFile == "" {
		return nil
	}
	var keyPEM, secretBytes []byte
	if keyFile != "" {
		b, err := curlargs.ReadInput("--key", keyFile, nil, curlargs.MaxPEM)
		if err != nil {
			return err
		}
		keyPEM = b
	} else {
		secretBytes = []byte(secret)
	}
	err := annotate.VerifyJWT(token, secretBytes, keyPEM)
	if errors.Is(err, annotate.ErrBadKey) {
		return trace.BadInput("--key %s: %v; give a PEM public key, certificate or private key", keyFile, err)
	}
	ok := err == nil
	rep.Verified = &ok
	if err != nil {
		rep.VerifyError = err.Error()
	}
	return nil
}
