/**
 * Schema validation of rendered objects with the kubernetes-models classes: each object
 * is constructed as its model and validated against the API's schema (Kubernetes' own
 * OpenAPI schemas; Istio's and the Gateway API's CRD schemas). Only the current API
 * versions are listed, so an object on an old or unknown apiVersion fails as "no model".
 */
import {
  Gateway as KubeGateway,
  HTTPRoute,
} from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { IstioOperator } from '@kubernetes-models/istio/install.istio.io/v1alpha1';
import {
  DestinationRule,
  Gateway,
  VirtualService,
} from '@kubernetes-models/istio/networking.istio.io/v1';
import { Telemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeObject } from './kustomize.js';

interface Validatable {
  validate(): void;
}

type ModelClass = new (data: KubeObject) => Validatable;

/** The model class of every apiVersion/kind the deploy files may use. */
const MODELS: Record<string, ModelClass> = {};

function register(apiVersion: string, kind: string, model: unknown): void {
  MODELS[`${apiVersion}/${kind}`] = model as ModelClass;
}

register('v1', 'ConfigMap', ConfigMap);
register('v1', 'Namespace', Namespace);
register('v1', 'Service', Service);
register('v1', 'ServiceAccount', ServiceAccount);
register('apps/v1', 'Deployment', Deployment);
register('networking.istio.io/v1', 'Gateway', Gateway);
register('networking.istio.io/v1', 'VirtualService', VirtualService);
register('networking.istio.io/v1', 'DestinationRule', DestinationRule);
register('telemetry.istio.io/v1', 'Telemetry', Telemetry);
register('install.istio.io/v1alpha1', 'IstioOperator', IstioOperator);
register('gateway.networking.k8s.io/v1', 'Gateway', KubeGateway);
register('gateway.networking.k8s.io/v1', 'HTTPRoute', HTTPRoute);

/** Throws with the object's name and the schema's complaint when it does not validate. */
export function validateObject(object: KubeObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  const name = `${key} ${object.metadata.name}`;
  if (!Model) throw new Error(`${name}: no model for this apiVersion/kind (not a current API?)`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${name} does not match its schema: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
