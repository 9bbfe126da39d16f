{{/*
Install-time checks. The schema catches misspelt keys and wrong types; these catch combinations that are
valid YAML but dangerous (an open relay) or that the daemon would refuse at start.
*/}}

{{/* "open", "broad" or "" for one entry of mail.trustedNetworks. */}}
{{- define "mail-relay.networkBreadth" -}}
{{- $text := toString . | trim -}}
{{- if contains "/" $text -}}
{{- $parts := splitList "/" $text -}}
{{- $address := first $parts -}}
{{- $prefix := last $parts | int -}}
{{- if eq $prefix 0 -}}open
{{- else if hasPrefix "127." $address -}}
{{- /* loopback: never reached from outside, whatever the Service does */ -}}
{{- else if contains ":" $address -}}{{ if lt $prefix 48 }}broad{{ end }}
{{- else if lt $prefix 16 -}}broad
{{- else if and (eq $prefix 16) (hasPrefix "192.168." $address) -}}broad
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mail-relay.validate" -}}
{{- $security := "see the README, section \"Security: who may relay\"" -}}
{{- include "mail-relay.validateRemoved" . -}}
{{- include "mail-relay.validateWebhooks" . -}}
{{- with .Values.haraka.proxyProtocol -}}
{{- range $key, $value := . -}}
{{- $own := get $.Values.proxyProtocol $key -}}
{{- if and $own (ne (toJson $own) (toJson $value)) -}}
{{- fail (printf "haraka.proxyProtocol.%s (%s) and proxyProtocol.%s (%s) disagree: haraka.proxyProtocol is the deprecated name of proxyProtocol; keep only proxyProtocol." $key (toJson $value) $key (toJson $own)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $proxy := include "mail-relay.proxyProtocol" . | fromJson -}}
{{- range .Values.mail.trustedNetworks -}}
{{- if eq (include "mail-relay.networkBreadth" .) "open" -}}
{{- fail (printf "mail.trustedNetworks contains %s, which lets anyone on the Internet relay through this server (an open relay). List only the networks of your own applications; %s." . $security) -}}
{{- end -}}
{{- end -}}
{{- range $proxy.trustedProxies -}}
{{- if eq (include "mail-relay.networkBreadth" .) "open" -}}
{{- fail (printf "proxyProtocol.trustedProxies contains %s: anyone could then forge a PROXY header and appear to come from a trusted network. List only your load balancers' addresses; %s." . $security) -}}
{{- end -}}
{{- end -}}
{{- $exposed := has .Values.service.type (list "LoadBalancer" "NodePort") -}}
{{- $preservesClients := or (eq .Values.service.externalTrafficPolicy "Local") $proxy.enabled -}}
{{- if and $exposed (not $preservesClients) (not .Values.security.allowBroadTrustedNetworks) -}}
{{- range .Values.mail.trustedNetworks -}}
{{- if eq (include "mail-relay.networkBreadth" .) "broad" -}}
{{- fail (printf "mail.trustedNetworks contains the broad range %s while service.type is %s with externalTrafficPolicy %s: Kubernetes SNATs outside clients to cluster addresses, so the Internet would look trusted (an open relay). Use your pod CIDR only, set service.externalTrafficPolicy: Local, or enable proxyProtocol; if you are sure, set security.allowBroadTrustedNetworks: true. %s." . $.Values.service.type $.Values.service.externalTrafficPolicy $security) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $proxy.enabled (not $proxy.trustedProxies) -}}
{{- fail "proxyProtocol.enabled needs proxyProtocol.trustedProxies: the addresses of the load balancers that send PROXY headers." -}}
{{- end -}}
{{- if .Values.mail.relayCredentials.enabled -}}
{{- if not .Values.mail.relayHost -}}
{{- fail "mail.relayCredentials.enabled needs mail.relayHost (the smarthost to authenticate to)." -}}
{{- end -}}
{{- if and (not .Values.mail.relayCredentials.existingSecret) (not .Values.mail.relayCredentials.password) -}}
{{- fail "mail.relayCredentials.enabled needs mail.relayCredentials.existingSecret (recommended) or mail.relayCredentials.password." -}}
{{- end -}}
{{- if and (not .Values.mail.relayCredentials.existingSecret) (not .Values.mail.relayCredentials.username) -}}
{{- fail "mail.relayCredentials.enabled needs mail.relayCredentials.username (or an existingSecret with a usernameKey)." -}}
{{- end -}}
{{- end -}}
{{- if and .Values.smtp.submission.enabled (not .Values.mail.smtpAuth.enabled) -}}
{{- fail "smtp.submission.enabled needs mail.smtpAuth.enabled: the submission port is for clients that authenticate." -}}
{{- end -}}
{{- if .Values.mail.smtpAuth.enabled -}}
{{- if not .Values.mail.smtpAuth.existingSecret -}}
{{- fail "mail.smtpAuth.enabled needs mail.smtpAuth.existingSecret: a Secret with the users file (one user:secret line each; see `MailRelay auth hash-password`)." -}}
{{- end -}}
{{- if and .Values.mail.smtpAuth.requireTls (not .Values.mail.tls.existingSecret) -}}
{{- fail "mail.smtpAuth.requireTls needs mail.tls.existingSecret (a kubernetes.io/tls Secret): without TLS, AUTH could never be offered. Set mail.smtpAuth.requireTls: false only if the network between clients and the relay is private." -}}
{{- end -}}
{{- end -}}
{{- $drain := include "mail-relay.durationSeconds" .Values.shutdownTimeout | int64 -}}
{{- if le (int64 .Values.terminationGracePeriodSeconds) $drain -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be above shutdownTimeout (%s = %ds), or Kubernetes kills the relay before it has drained its sessions." (int64 .Values.terminationGracePeriodSeconds) .Values.shutdownTimeout $drain) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.redis.url) (not .Values.redis.existingSecret) -}}
{{- fail (printf "replicaCount %d needs redis.url or redis.existingSecret: the pods share each provider's pacing through Redis, so that together they stay within its limits; without it each pod would pace alone and N pods would send N times the limit. See docs/scaling.md." (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) .Values.handoff.enabled (not .Values.handoff.peerNetworks) -}}
{{- fail (printf "replicaCount %d with handoff.enabled needs handoff.peerNetworks: the cluster's pod network(s), from which a pod leaving at scale-down hands its queue to pod 0; without it pod 0 would refuse the handoff and the queue would stay on the volume. See docs/scaling.md." (int .Values.replicaCount)) -}}
{{- end -}}
{{- range .Values.handoff.peerNetworks -}}
{{- if eq (include "mail-relay.networkBreadth" .) "open" -}}
{{- fail (printf "handoff.peerNetworks contains %s: anyone could then hand mail to the relay for relaying (an open relay). List only the cluster's pod network; %s." . $security) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.persistence.existingClaim (gt (int .Values.replicaCount) 1) -}}
{{- fail "persistence.existingClaim serves one pod only: each relay needs its own queue volume; use replicaCount 1 or a volumeClaimTemplate." -}}
{{- end -}}
{{- if and .Values.dkim.existingSecret (not .Values.mail.domains) (not .Values.dkim.domains) -}}
{{- fail "dkim.existingSecret needs mail.domains (or dkim.domains) to know which keys to mount." -}}
{{- end -}}
{{- include "mail-relay.validateDns" . -}}
{{- end -}}

{{/* DNS publishing: a provider, its credential, and a way to know the relay's public address. */}}
{{- define "mail-relay.validateDns" -}}
{{- $dns := .Values.dns -}}
{{- if $dns.enabled -}}
{{- if and (not $dns.provider) (not $dns.externalDns.enabled) -}}
{{- fail "dns.enabled needs dns.provider: cloudflare, external-dns or rfc2136." -}}
{{- end -}}
{{- if and $dns.externalDns.enabled $dns.provider (ne $dns.provider "external-dns") -}}
{{- fail (printf "dns.externalDns.enabled asks for the external-dns provider, but dns.provider is %s: the relay publishes through one provider; remove dns.externalDns or set dns.provider: external-dns." $dns.provider) -}}
{{- end -}}
{{- end -}}
{{- $provider := include "mail-relay.dnsProvider" . -}}
{{- if $provider -}}
{{- if not (include "mail-relay.dnsRecords" .) -}}
{{- fail "dns.records switches every record off: turn on at least one of a, mx, spf, dkim, dmarc, or turn DNS publishing off." -}}
{{- end -}}
{{- if and (eq $provider "cloudflare") (not $dns.cloudflare.existingSecret) (not $dns.cloudflare.apiToken) -}}
{{- fail "dns.provider cloudflare needs dns.cloudflare.existingSecret (a Secret with the key api-token; recommended) or dns.cloudflare.apiToken." -}}
{{- end -}}
{{- if eq $provider "rfc2136" -}}
{{- if not $dns.rfc2136.server -}}
{{- fail "dns.provider rfc2136 needs dns.rfc2136.server: the primary name server that takes the updates, IP[:port]." -}}
{{- end -}}
{{- $secret := or $dns.rfc2136.existingSecret $dns.rfc2136.tsigSecret -}}
{{- if and $dns.rfc2136.tsigKeyName (not $secret) -}}
{{- fail "dns.rfc2136.tsigKeyName needs dns.rfc2136.existingSecret (a Secret with the key tsig-secret; recommended) or dns.rfc2136.tsigSecret." -}}
{{- end -}}
{{- if and $secret (not $dns.rfc2136.tsigKeyName) -}}
{{- fail "dns.rfc2136.existingSecret / tsigSecret needs dns.rfc2136.tsigKeyName: the secret belongs to a named TSIG key." -}}
{{- end -}}
{{- end -}}
{{- if not .Values.dnsHelper.externalIps -}}
{{- if not .Values.dnsHelper.ipDetection -}}
{{- fail "dnsHelper.ipDetection is false and dnsHelper.externalIps is empty: the relay cannot know its public address for the A and SPF records. List the addresses in dnsHelper.externalIps, or set dnsHelper.ipDetection: true to detect them." -}}
{{- else if not .Values.dnsHelper.enabled -}}
{{- fail "dnsHelper.enabled is false (no address detection) and dnsHelper.externalIps is empty: the relay cannot know its public address for the A and SPF records. List the addresses in dnsHelper.externalIps, or set dnsHelper.enabled: true." -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Webhooks sign every request: no secret, no webhooks; and nothing to call is a mistake, not an empty feature. */}}
{{- define "mail-relay.validateWebhooks" -}}
{{- if .Values.webhooks.enabled -}}
{{- if not .Values.webhooks.existingSecret -}}
{{- fail "webhooks.enabled needs webhooks.existingSecret: a Secret holding the signing secret under webhooks.secretKey (e.g. kubectl create secret generic mail-relay-webhook --from-literal=webhook-secret=$(openssl rand -hex 32))." -}}
{{- end -}}
{{- if not .Values.webhooks.endpoints -}}
{{- fail "webhooks.enabled needs at least one entry in webhooks.endpoints ({name, url})." -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Keys of the chart before the relay published its own DNS records: refused with their new place, so an old
values file never silently publishes something else. */}}
{{- define "mail-relay.validateRemoved" -}}
{{- $moved := list -}}
{{- $externalDns := dict "targets" "dnsHelper.externalIps" "ttl" "dns.ttl" "records" "dns.records" "mxPriority" "dns.mxPriority" "spfPolicy" "dns.spfPolicy" "dmarcPolicy" "dns.dmarcPolicy" "dmarcRua" "dns.dmarcRua" "annotations" "nothing (the relay writes the DNSEndpoint; externalDns.labels are its labels)" -}}
{{- range $old, $new := $externalDns -}}
{{- if hasKey $.Values.externalDns $old -}}
{{- $moved = append $moved (printf "externalDns.%s -> %s" $old $new) -}}
{{- end -}}
{{- end -}}
{{- if hasKey .Values.dkim "publicRecords" -}}
{{- $moved = append $moved "dkim.publicRecords -> nothing (the relay publishes the DKIM keys it signs with: dns.records.dkim)" -}}
{{- end -}}
{{- if $moved -}}
{{- fail (printf "these values were replaced when the relay began to publish its own DNS records (chart 0.2.0; see docs/kubernetes.md, \"DNS records\"): %s." (join "; " $moved)) -}}
{{- end -}}
{{- end -}}
