{{/*
DNS publishing: the daemon writes its own records (DNS_*, CLOUDFLARE_*); these helpers decide from the values
which provider it uses, how it learns its public address, and whether it needs the Kubernetes API. Every
template asks them, so the environment, the token mount, the Secret and the release notes always agree.
*/}}

{{/* The provider the daemon publishes with: cloudflare, external-dns, rfc2136, or "" when DNS publishing is off.
dns.enabled chooses dns.provider (dns.externalDns.enabled = external-dns); otherwise the old chart's
externalDns.enabled with autoManageDnsRecords means external-dns. */}}
{{- define "mail-relay.dnsProvider" -}}
{{- if .Values.dns.enabled -}}
{{- if .Values.dns.provider -}}{{ .Values.dns.provider }}
{{- else if .Values.dns.externalDns.enabled -}}external-dns
{{- end -}}
{{- else if and .Values.externalDns.enabled .Values.externalDns.autoManageDnsRecords -}}external-dns
{{- end -}}
{{- end -}}

{{/* DNS_OWNER_ID: dns.ownerId, else <namespace>/<release> (at most 100 characters, the daemon's limit). */}}
{{- define "mail-relay.dnsOwnerId" -}}
{{- default (printf "%s/%s" .Release.Namespace .Release.Name | trunc 100) .Values.dns.ownerId -}}
{{- end -}}

{{/* "true" when the daemon detects its public address (no dnsHelper.externalIps, detection on). */}}
{{- define "mail-relay.dnsDetects" -}}
{{- if and (include "mail-relay.dnsProvider" .) .Values.dnsHelper.enabled .Values.dnsHelper.ipDetection (not .Values.dnsHelper.externalIps) -}}true{{- end -}}
{{- end -}}

{{/* The Service whose LoadBalancer address is the detected public address (DNS_KUBERNETES_SERVICE): this release's
own SMTP Service, when it is a LoadBalancer; a ClusterIP or NodePort Service has no such address, and the daemon
asks dns.ipDetectUrls instead. */}}
{{- define "mail-relay.dnsKubernetesService" -}}
{{- if and (include "mail-relay.dnsDetects" .) (eq .Values.service.type "LoadBalancer") -}}
{{- include "mail-relay.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* "true" when the daemon calls the Kubernetes API: it keeps a DNSEndpoint (external-dns), or reads its own
Service's LoadBalancer address. The pod then mounts a service-account token, and the Role (role.yaml) is rendered
on the same condition. */}}
{{- define "mail-relay.kubernetesApi" -}}
{{- if or (eq (include "mail-relay.dnsProvider" .) "external-dns") (include "mail-relay.dnsKubernetesService" .) (include "mail-relay.handoff" .) -}}true{{- end -}}
{{- end -}}

{{/* automountServiceAccountToken of the ServiceAccount and the pod. */}}
{{- define "mail-relay.automountToken" -}}
{{- or .Values.serviceAccount.automountServiceAccountToken (eq (include "mail-relay.kubernetesApi" .) "true") -}}
{{- end -}}

{{/* Where the DNS provider's credential (Cloudflare token or TSIG secret) is mounted. */}}
{{- define "mail-relay.dnsDir" -}}/etc/mailrelay/dns{{- end -}}

{{/* The Secret key and file name of the provider's credential; "" when the provider needs none. */}}
{{- define "mail-relay.dnsCredentialKey" -}}
{{- $provider := include "mail-relay.dnsProvider" . -}}
{{- if eq $provider "cloudflare" -}}api-token
{{- else if and (eq $provider "rfc2136") (or .Values.dns.rfc2136.existingSecret .Values.dns.rfc2136.tsigSecret) -}}tsig-secret
{{- end -}}
{{- end -}}

{{/* The operator's Secret for the credential, or "" when the chart makes one from the inline value. */}}
{{- define "mail-relay.dnsExistingSecret" -}}
{{- $provider := include "mail-relay.dnsProvider" . -}}
{{- if eq $provider "cloudflare" -}}{{ .Values.dns.cloudflare.existingSecret }}
{{- else if eq $provider "rfc2136" -}}{{ .Values.dns.rfc2136.existingSecret }}
{{- end -}}
{{- end -}}

{{/* "true" when the chart makes the DNS credential Secret (an inline apiToken or tsigSecret, no existingSecret). */}}
{{- define "mail-relay.dnsChartSecret" -}}
{{- if and (include "mail-relay.dnsCredentialKey" .) (not (include "mail-relay.dnsExistingSecret" .)) -}}true{{- end -}}
{{- end -}}

{{- define "mail-relay.dnsSecretName" -}}
{{- default (printf "%s-dns" (include "mail-relay.fullname" .)) (include "mail-relay.dnsExistingSecret" .) -}}
{{- end -}}

{{/* The inline credential the chart stores. */}}
{{- define "mail-relay.dnsInlineCredential" -}}
{{- if eq (include "mail-relay.dnsProvider" .) "cloudflare" -}}{{ .Values.dns.cloudflare.apiToken }}{{- else -}}{{ .Values.dns.rfc2136.tsigSecret }}{{- end -}}
{{- end -}}

{{/* DNS_RECORDS: the kinds switched on in dns.records, in the daemon's order. */}}
{{- define "mail-relay.dnsRecords" -}}
{{- $on := list -}}
{{- range (list "a" "mx" "spf" "dkim" "dmarc") -}}
{{- if get $.Values.dns.records . -}}{{ $on = append $on . }}{{- end -}}
{{- end -}}
{{- join "," $on -}}
{{- end -}}
