/* Stripe.js stand-in served by the local Stripe emulator. It implements only what the shop's payment
   page calls, with Stripe.js's names and result shapes: Stripe(pk).elements({clientSecret}),
   elements.create('payment').mount(...), stripe.confirmPayment(...), stripe.retrievePaymentIntent(...).
   Card fields are plain inputs in the page (not iframes) so browser tests can fill them by name. */
(function () {
  'use strict';

  var script = document.currentScript;
  var origin = new URL(script ? script.src : '/', window.location.href).origin;

  function loadStylesheet() {
    if (document.querySelector('link[data-stripe-emulator]')) { return; }
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = origin + '/v3/stripe-emulator.css';
    link.setAttribute('data-stripe-emulator', '');
    document.head.appendChild(link);
  }

  function integrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  function intentIdFromSecret(clientSecret) {
    var index = typeof clientSecret === 'string' ? clientSecret.indexOf('_secret_') : -1;
    if (index <= 0) {
      throw integrationError('Invalid value for clientSecret: should be a client secret of the form ${id}_secret_${secret}.');
    }
    return clientSecret.substring(0, index);
  }

  function digits(value) { return value.replace(/\D/g, ''); }

  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = number.charCodeAt(number.length - 1 - i) - 48;
      if (i % 2 === 1) { digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2; }
      sum += digit;
    }
    return sum % 10 === 0;
  }

  function parseExpiry(value) {
    var d = digits(value);
    return { month: parseInt(d.substring(0, 2), 10), year: 2000 + parseInt(d.substring(2, 4), 10), complete: d.length === 4 };
  }

  // Returns {code, message} for the first problem in one field, or null; `final` also reports incomplete input.
  var validators = {
    cardnumber: function (value, final) {
      var d = digits(value);
      if (d.length === 0) { return final ? { code: 'incomplete_number', message: 'Your card number is incomplete.' } : null; }
      if (d.length < 16) { return final ? { code: 'incomplete_number', message: 'Your card number is incomplete.' } : null; }
      if (!luhn(d)) { return { code: 'invalid_number', message: 'Your card number is invalid.' }; }
      return null;
    },
    'exp-date': function (value, final) {
      var expiry = parseExpiry(value);
      if (!expiry.complete) {
        if (digits(value).length >= 2 && (expiry.month < 1 || expiry.month > 12)) {
          return { code: 'invalid_expiry_month', message: "Your card's expiration date is invalid." };
        }
        return final ? { code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." } : null;
      }
      var now = new Date();
      if (expiry.month < 1 || expiry.month > 12) { return { code: 'invalid_expiry_month', message: "Your card's expiration date is invalid." }; }
      if (expiry.year < now.getFullYear()) { return { code: 'invalid_expiry_year_past', message: "Your card's expiration year is in the past." }; }
      if (expiry.year === now.getFullYear() && expiry.month < now.getMonth() + 1) {
        return { code: 'invalid_expiry_month_past', message: "Your card's expiration date is in the past." };
      }
      return null;
    },
    cvc: function (value, final) {
      var d = digits(value);
      if (d.length < 3) { return final ? { code: 'incomplete_cvc', message: "Your card's security code is incomplete." } : null; }
      return null;
    }
  };

  var formatters = {
    cardnumber: function (value) { return digits(value).substring(0, 19).replace(/(\d{4})(?=\d)/g, '$1 '); },
    'exp-date': function (value) {
      var d = digits(value).substring(0, 4);
      if (d.length === 1 && d > '1') { d = '0' + d; }
      return d.length > 2 ? d.substring(0, 2) + ' / ' + d.substring(2) : d;
    },
    cvc: function (value) { return digits(value).substring(0, 4); }
  };

  var fieldDefinitions = [
    { name: 'cardnumber', label: 'Card number', placeholder: '1234 1234 1234 1234', autocomplete: 'cc-number', css: 'se-field se-field-number' },
    { name: 'exp-date', label: 'Expiration date', placeholder: 'MM / YY', autocomplete: 'cc-exp', css: 'se-field se-field-expiry' },
    { name: 'cvc', label: 'Security code', placeholder: 'CVC', autocomplete: 'cc-csc', css: 'se-field se-field-cvc' }
  ];

  function PaymentElement(elements, options) {
    this._elements = elements;
    this._options = options || {};
    this._handlers = { change: [], ready: [], focus: [], blur: [] };
    this._root = null;
    this._inputs = {};
    this._errors = {};
  }

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  PaymentElement.prototype.off = function (event, handler) {
    var list = this._handlers[event] || [];
    this._handlers[event] = list.filter(function (h) { return h !== handler; });
    return this;
  };

  PaymentElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).forEach(function (handler) { handler(payload); });
  };

  PaymentElement.prototype.mount = function (target) {
    var container = typeof target === 'string' ? document.querySelector(target) : target;
    if (!container) { throw integrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.'); }
    if (this._root) { this.unmount(); }
    loadStylesheet();
    var self = this;
    var root = document.createElement('div');
    root.className = 'se-payment StripeElement';
    this._elements._applyAppearance(root);
    fieldDefinitions.forEach(function (definition) {
      var field = document.createElement('div');
      field.className = definition.css;
      var label = document.createElement('label');
      label.className = 'se-label';
      label.textContent = definition.label;
      var input = document.createElement('input');
      input.className = 'se-input';
      input.name = definition.name;
      input.id = 'se-' + definition.name;
      input.type = 'text';
      input.inputMode = 'numeric';
      input.autocomplete = definition.autocomplete;
      input.placeholder = definition.placeholder;
      input.setAttribute('aria-invalid', 'false');
      label.htmlFor = input.id;
      var error = document.createElement('p');
      error.className = 'se-error';
      error.id = 'se-' + definition.name + '-error';
      error.setAttribute('role', 'alert');
      input.setAttribute('aria-describedby', error.id);
      input.addEventListener('input', function () {
        input.value = formatters[definition.name](input.value);
        self._showError(definition.name, validators[definition.name](input.value, false));
        self._emitChange();
      });
      input.addEventListener('blur', function () {
        if (input.value !== '') { self._showError(definition.name, validators[definition.name](input.value, true)); }
        self._emit('blur', { elementType: 'payment' });
      });
      input.addEventListener('focus', function () { self._emit('focus', { elementType: 'payment' }); });
      field.appendChild(label);
      field.appendChild(input);
      field.appendChild(error);
      root.appendChild(field);
      self._inputs[definition.name] = input;
      self._errors[definition.name] = error;
    });
    var badge = document.createElement('p');
    badge.className = 'se-badge';
    badge.textContent = 'Test mode · Stripe emulator';
    root.appendChild(badge);
    container.appendChild(root);
    this._root = root;
    setTimeout(function () { self._emit('ready', { elementType: 'payment' }); }, 0);
  };

  PaymentElement.prototype.unmount = function () {
    if (this._root && this._root.parentNode) { this._root.parentNode.removeChild(this._root); }
    this._root = null;
    this._inputs = {};
    this._errors = {};
  };

  PaymentElement.prototype.destroy = function () { this.unmount(); this._elements._element = null; };
  PaymentElement.prototype.update = function () { };
  PaymentElement.prototype.focus = function () { if (this._inputs.cardnumber) { this._inputs.cardnumber.focus(); } };
  PaymentElement.prototype.blur = function () { if (document.activeElement && this._root && this._root.contains(document.activeElement)) { document.activeElement.blur(); } };
  PaymentElement.prototype.clear = function () {
    var self = this;
    Object.keys(this._inputs).forEach(function (name) { self._inputs[name].value = ''; self._showError(name, null); });
    this._emitChange();
  };

  PaymentElement.prototype._showError = function (name, problem) {
    var input = this._inputs[name];
    var error = this._errors[name];
    if (!input) { return; }
    error.textContent = problem ? problem.message : '';
    input.classList.toggle('se-invalid', !!problem);
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
  };

  PaymentElement.prototype._emitChange = function () {
    var self = this;
    var empty = Object.keys(this._inputs).every(function (name) { return self._inputs[name].value === ''; });
    this._emit('change', { elementType: 'payment', empty: empty, complete: this._validate(false) === null, collapsed: false, value: { type: 'card' } });
  };

  // Checks every field; with `show`, puts each message under its field as Stripe's element does on submit.
  PaymentElement.prototype._validate = function (show) {
    var first = null;
    var self = this;
    if (!this._root) { return { code: 'incomplete', message: 'The Payment Element is not mounted.' }; }
    fieldDefinitions.forEach(function (definition) {
      var problem = validators[definition.name](self._inputs[definition.name].value, true);
      if (show) { self._showError(definition.name, problem); }
      if (problem && !first) { first = problem; }
    });
    return first;
  };

  PaymentElement.prototype._cardParameters = function () {
    var expiry = parseExpiry(this._inputs['exp-date'].value);
    return {
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': digits(this._inputs.cardnumber.value),
      'payment_method_data[card][exp_month]': String(expiry.month),
      'payment_method_data[card][exp_year]': String(expiry.year),
      'payment_method_data[card][cvc]': digits(this._inputs.cvc.value)
    };
  };

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._element = null;
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'payment') { throw integrationError('The Stripe emulator supports only the payment element, not ' + type + '.'); }
    if (this._element) { throw integrationError('Can only create one Element of type payment.'); }
    this._element = new PaymentElement(this, options);
    return this._element;
  };

  Elements.prototype.getElement = function (type) { return type === 'payment' ? this._element : null; };
  Elements.prototype.update = function (options) { Object.assign(this._options, options || {}); };
  Elements.prototype.fetchUpdates = function () { return Promise.resolve({}); };

  Elements.prototype.submit = function () {
    var problem = this._element ? this._element._validate(true) : { code: 'incomplete', message: 'No Payment Element was created.' };
    return Promise.resolve(problem ? { error: { type: 'validation_error', code: problem.code, message: problem.message } } : {});
  };

  // Appearance variables become CSS custom properties through the CSSOM, which the shop's CSP allows
  // (unlike style attributes in markup).
  Elements.prototype._applyAppearance = function (root) {
    var variables = (this._options.appearance && this._options.appearance.variables) || {};
    var map = { colorPrimary: '--se-color-primary', colorDanger: '--se-color-danger', borderRadius: '--se-radius', fontFamily: '--se-font' };
    Object.keys(map).forEach(function (name) { if (variables[name]) { root.style.setProperty(map[name], variables[name]); } });
  };

  function request(method, path, parameters) {
    var body = new URLSearchParams(parameters);
    var url = origin + path + (method === 'GET' ? '?' + body.toString() : '');
    var init = method === 'GET' ? { method: 'GET' } : {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString()
    };
    return fetch(url, init).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }, function () {
      return { ok: false, json: { error: { type: 'api_connection_error', message: 'We could not reach the Stripe emulator at ' + origin + '.' } } };
    });
  }

  function returnUrlWith(returnUrl, intent, redirectStatus) {
    var url = new URL(returnUrl, window.location.href);
    url.searchParams.set('payment_intent', intent.id);
    url.searchParams.set('payment_intent_client_secret', intent.client_secret);
    url.searchParams.set('redirect_status', redirectStatus);
    return url.toString();
  }

  // Like Stripe.js, a call that navigates away returns a promise that never settles.
  function navigate(url) {
    window.location.assign(url);
    return new Promise(function () { });
  }

  function StripeInstance(publishableKey) {
    this._key = publishableKey;
  }

  StripeInstance.prototype.elements = function (options) {
    options = options || {};
    if (options.clientSecret) { intentIdFromSecret(options.clientSecret); }
    return new Elements(this, options);
  };

  StripeInstance.prototype.confirmPayment = function (options) {
    options = options || {};
    var elements = options.elements;
    var confirmParams = options.confirmParams || {};
    var redirect = options.redirect || 'always';
    if (!elements || !elements._element) { return Promise.reject(integrationError('Invalid value for confirmPayment(): elements should have a mounted Payment Element.')); }
    var clientSecret = options.clientSecret || elements._options.clientSecret;
    var intentId = intentIdFromSecret(clientSecret);
    if (redirect === 'always' && !confirmParams.return_url) {
      return Promise.reject(integrationError('stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`'));
    }
    var problem = elements._element._validate(true);
    if (problem) { return Promise.resolve({ error: { type: 'validation_error', code: problem.code, message: problem.message } }); }

    var parameters = Object.assign({ key: this._key, client_secret: clientSecret }, elements._element._cardParameters());
    if (confirmParams.return_url) { parameters.return_url = confirmParams.return_url; }
    if (confirmParams.receipt_email) { parameters.receipt_email = confirmParams.receipt_email; }

    return request('POST', '/v1/payment_intents/' + encodeURIComponent(intentId) + '/confirm', parameters).then(function (result) {
      if (!result.ok) { return { error: result.json.error }; }
      var intent = result.json;
      if (intent.status === 'requires_action' && intent.next_action && intent.next_action.type === 'redirect_to_url') {
        return navigate(intent.next_action.redirect_to_url.url);
      }
      if (redirect === 'if_required') { return { paymentIntent: intent }; }
      return navigate(returnUrlWith(confirmParams.return_url, intent, intent.status === 'succeeded' || intent.status === 'processing' ? 'succeeded' : 'failed'));
    });
  };

  StripeInstance.prototype.retrievePaymentIntent = function (clientSecret) {
    var intentId = intentIdFromSecret(clientSecret);
    return request('GET', '/v1/payment_intents/' + encodeURIComponent(intentId), { key: this._key, client_secret: clientSecret }).then(function (result) {
      return result.ok ? { paymentIntent: result.json } : { error: result.json.error };
    });
  };

  window.Stripe = function (publishableKey) {
    if (typeof publishableKey !== 'string' || publishableKey.indexOf('pk_') !== 0) {
      throw integrationError('Invalid value for Stripe(): apiKey should be a publishable key (pk_...). You specified: ' + publishableKey + '.');
    }
    return new StripeInstance(publishableKey);
  };
  window.Stripe.version = 3;
})();
